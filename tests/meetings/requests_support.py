"""Helpers of the meeting-request tests: an event with meetings; participants (made directly: fast, no
confirmation mail with a badge PDF per person) and links come from tests/factories.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from move_events.events.models import Event
from tests.factories import make_event, token_for
from tests.factories import participant_at as participant_of

__all__ = ["meeting_event", "participant_of", "token_for"]


def meeting_event(*, slots: int = 4, tables: int = 2, meeting_cap: int | None = None, **overrides) -> Event:
    """A published event with one session of ``slots`` 30-minute slots, starting an hour in."""
    starts = overrides.pop(
        "starts_at", datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=30)
    )
    overrides["starts_at"] = starts
    session_start = starts + timedelta(hours=1)
    return make_event(
        published=True,
        has_meetings=True,
        slot_minutes=30,
        break_minutes=0,
        tables=tables,
        meeting_cap=meeting_cap,
        sessions=[(session_start, session_start + timedelta(minutes=30 * slots))],
        **overrides,
    )
