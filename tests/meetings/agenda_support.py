"""Helpers of the agenda tests: a brokerage day on the next 15 June at least 60 days ahead, in Sofia (UTC+3
in June, so a time-zone mistake shows). Participants, meetings and links come from tests/factories.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from move_events.auth.models import User
from move_events.events.models import Event, EventCategory, EventSubtype
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.registration.models import Registration
from tests.factories import make_event, meeting_between, token_for, upcoming
from tests.factories import participant_at as person_at

__all__ = ["agenda_event", "meeting", "person_at", "scheduled", "slot_start", "token_for"]

TIMEZONE = "Europe/Sofia"
FIRST_SLOT = upcoming(6, 15, 6)  # 09:00 in Sofia (June: EEST, UTC+3), never in the past
SLOT = timedelta(minutes=25)
STEP = timedelta(minutes=30)  # 25-minute slots, 5-minute breaks


def slot_start(index: int) -> datetime:
    """The start (UTC) of the ``index``-th slot (0-based) of the morning session."""
    return FIRST_SLOT + index * STEP


def agenda_event(*, slots: int = 6, tables: int = 3, created_by: User | None = None, **overrides) -> Event:
    """A published B2B event in Sofia with one morning session of ``slots`` 25-minute slots from 09:00."""
    values = {
        "title": "Clean Energy Brokerage Sofia",
        "category": EventCategory.B2B,
        "subtype": EventSubtype.BROKERAGE,
        "timezone": TIMEZONE,
        "venue": "Sofia Tech Park",
        "city": "Sofia",
        "country": "BG",
        "target_country": "BG",
        "starts_at": FIRST_SLOT - timedelta(hours=1),
        "ends_at": FIRST_SLOT + slots * STEP + timedelta(hours=1),
        "has_meetings": True,
        "slot_minutes": 25,
        "break_minutes": 5,
        "tables": tables,
        "sessions": [(FIRST_SLOT, FIRST_SLOT + slots * STEP)],
    }
    values.update(overrides)
    return make_event(published=True, created_by=created_by, **values)


def meeting(a: Registration, b: Registration, *, status: MeetingStatus = MeetingStatus.ACCEPTED) -> Meeting:
    """A meeting requested by ``a`` from ``b`` in ``status``, without a time."""
    return meeting_between(a, b, status=status)


def scheduled(a: Registration, b: Registration, index: int, *, table: int | None = None) -> Meeting:
    """An accepted meeting of ``a`` and ``b`` placed in slot ``index`` (at ``table`` or the first free)."""
    return meeting_between(a, b, slot=index, table=table)
