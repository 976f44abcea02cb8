"""Badge pages (routes are added here)."""

from move_events.badges import bp  # noqa: F401
