"""Placeholder: routes are added here."""

from move_events.reports import bp  # noqa: F401
