"""Door pages (routes are added here)."""

from move_events.checkin import bp  # noqa: F401
