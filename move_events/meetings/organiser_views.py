"""Placeholder: routes are added here."""

from move_events.meetings import bp  # noqa: F401
