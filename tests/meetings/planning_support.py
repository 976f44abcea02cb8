"""Helpers of the planning and outcome tests: an event with meeting slots; participants, meetings and
links come from tests/factories.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from move_events.events.models import Event, EventCategory, EventSubtype
from tests.factories import make_event, meeting_between, token_for
from tests.factories import participant_at as person_at

__all__ = ["brokerage", "meeting_between", "person_at", "token_for"]


def brokerage(
    *,
    slots: int = 4,
    tables: int = 2,
    meeting_cap: int | None = None,
    starts_in: timedelta | None = None,
    **kw,
) -> Event:
    """A published B2B event with one session of ``slots`` 30-minute slots, its first slot starting
    ``starts_in`` from now (default: 30 days ahead; negative: already under way)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    first = now + (starts_in if starts_in is not None else timedelta(days=30))
    return make_event(
        published=True,
        category=kw.pop("category", EventCategory.B2B),
        subtype=EventSubtype.BROKERAGE,
        starts_at=first - timedelta(hours=1),
        ends_at=first + timedelta(minutes=30 * slots + 60),
        has_meetings=True,
        slot_minutes=30,
        break_minutes=0,
        tables=tables,
        meeting_cap=meeting_cap,
        sessions=[(first, first + timedelta(minutes=30 * slots))],
        **kw,
    )
