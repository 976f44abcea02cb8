"""Slots and seats: meetings go into real slots, one per person and table, guarded by the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from move_events.events.models import EventCategory, EventSubtype, MeetingSession
from move_events.extensions import db as _db
from move_events.meetings.booking import (
    MeetingError,
    SlotTaken,
    common_free_slots,
    common_free_slots_of,
    event_slots,
    place_meeting,
    unplace_meeting,
)
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus, Unavailability
from tests.factories import make_event, register, upcoming

DAY = upcoming(3, 10, 8)  # never in the past: a past event takes no bookings


def _brokerage(tables: int = 2):
    return make_event(
        published=True,
        category=EventCategory.B2B,
        subtype=EventSubtype.BROKERAGE,
        starts_at=DAY,
        ends_at=DAY + timedelta(hours=9),
        has_meetings=True,
        slot_minutes=30,
        break_minutes=0,
        tables=tables,
        sessions=[(DAY + timedelta(hours=1), DAY + timedelta(hours=2))],  # two slots: 09:00, 09:30
    )


def _meeting(event, a, b, status=MeetingStatus.ACCEPTED) -> Meeting:
    meeting = Meeting(event=event, requester=a, counterpart=b, status=status)
    _db.session.add(meeting)
    _db.session.flush()
    return meeting


@pytest.fixture
def event(db):
    return _brokerage()


@pytest.fixture
def people(event):
    return [register(event) for _ in range(4)]


def test_event_slots_cut_sessions_into_slots(event):
    slots = event_slots(event)
    assert [s.start for s in slots] == [DAY + timedelta(hours=1), DAY + timedelta(hours=1, minutes=30)]
    assert {s.tables for s in slots} == {2}


def test_event_without_meetings_has_no_slots(db):
    assert event_slots(make_event()) == []


def test_place_meeting_books_both_sides_and_a_table(event, people):
    a, b = people[:2]
    meeting = _meeting(event, a, b)
    place_meeting(meeting, start=DAY + timedelta(hours=1))
    _db.session.commit()
    assert (meeting.status, meeting.table_no) == (MeetingStatus.SCHEDULED, 1)
    seats = _db.session.scalars(
        select(MeetingBooking.registration_id).where(MeetingBooking.meeting_id == meeting.id)
    )
    assert sorted(seats) == sorted([a.id, b.id])


def test_nobody_is_placed_twice_in_one_slot(event, people):
    a, b, c = people[:3]
    start = DAY + timedelta(hours=1)
    place_meeting(_meeting(event, a, b), start=start)
    second = _meeting(event, c, a)
    with pytest.raises(SlotTaken):
        place_meeting(second, start=start)
    assert [s.start for s in common_free_slots(second)] == [start + timedelta(minutes=30)]


def test_a_taken_table_is_refused_and_the_next_free_one_chosen(event, people):
    a, b, c, d = people
    start = DAY + timedelta(hours=1)
    place_meeting(_meeting(event, a, b), start=start, table=2)
    other = _meeting(event, c, d)
    with pytest.raises(SlotTaken):
        place_meeting(other, start=start, table=2)
    with pytest.raises(MeetingError):
        place_meeting(other, start=start, table=3)  # the event has two tables
    place_meeting(other, start=start)
    assert other.table_no == 1


def test_unavailable_slot_is_refused_and_not_offered(event, people):
    a, b = people[:2]
    start = DAY + timedelta(hours=1)
    _db.session.add(Unavailability(registration_id=b.id, slot_start=start))
    meeting = _meeting(event, a, b)
    with pytest.raises(MeetingError):
        place_meeting(meeting, start=start)
    assert [s.start for s in common_free_slots(meeting)] == [start + timedelta(minutes=30)]


@pytest.mark.parametrize("status", [MeetingStatus.REQUESTED, MeetingStatus.DECLINED, MeetingStatus.CANCELLED])
def test_only_accepted_meetings_are_placed(event, people, status):
    meeting = _meeting(event, people[0], people[1], status=status)
    with pytest.raises(MeetingError):
        place_meeting(meeting, start=DAY + timedelta(hours=1))


def test_a_time_outside_the_slots_is_refused(event, people):
    meeting = _meeting(event, people[0], people[1])
    with pytest.raises(MeetingError):
        place_meeting(meeting, start=DAY + timedelta(hours=1, minutes=10))


def test_moving_a_meeting_frees_its_old_seats(event, people):
    a, b, c = people[:3]
    first, later = DAY + timedelta(hours=1), DAY + timedelta(hours=1, minutes=30)
    meeting = _meeting(event, a, b)
    place_meeting(meeting, start=first, table=1)
    assert {s.start for s in common_free_slots(meeting)} == {first, later}  # its own slot counts as free
    place_meeting(meeting, start=later)
    place_meeting(_meeting(event, a, c), start=first, table=1)  # a's and table 1's old slot is free again
    assert _db.session.scalar(select(func.count()).select_from(MeetingBooking)) == 4


def test_unplace_returns_the_meeting_to_accepted(event, people):
    meeting = _meeting(event, people[0], people[1])
    place_meeting(meeting, start=DAY + timedelta(hours=1))
    unplace_meeting(meeting)
    _db.session.commit()
    assert (meeting.status, meeting.slot_start, meeting.table_no) == (MeetingStatus.ACCEPTED, None, None)
    assert _db.session.scalar(select(func.count()).select_from(MeetingBooking)) == 0


def test_the_database_refuses_a_double_booking_that_slipped_past_the_checks(event, people):
    """Two requests placing at the same moment both pass the checks; the unique seats stop the second."""
    a, b, c = people[:3]
    start = DAY + timedelta(hours=1)
    place_meeting(_meeting(event, a, b), start=start, table=1)
    _db.session.commit()
    racing = _meeting(event, c, a)
    racing_id = racing.id
    _db.session.commit()
    # What a concurrent request would write without having seen the first booking:
    racing.status, racing.slot_start, racing.table_no = MeetingStatus.SCHEDULED, start, 2
    _db.session.add_all(
        [MeetingBooking(meeting=racing, registration_id=r, slot_start=start) for r in (a.id, c.id)]
    )
    with pytest.raises(IntegrityError):
        _db.session.flush()
    _db.session.rollback()
    assert _db.session.get(Meeting, racing_id).slot_start is None


def test_free_slots_of_several_meetings_match_one_by_one(event, people):
    a, b, c, d = people
    start = DAY + timedelta(hours=1)
    placed = _meeting(event, a, b)
    place_meeting(placed, start=start, table=1)
    _db.session.add(Unavailability(registration_id=d.id, slot_start=start + timedelta(minutes=30)))
    meetings = [placed, _meeting(event, c, a), _meeting(event, c, d)]
    together = common_free_slots_of(meetings)
    assert together == {m.id: common_free_slots(m) for m in meetings}
    assert [s.start for s in together[meetings[1].id]] == [start + timedelta(minutes=30)]  # a is busy first
    assert [s.start for s in together[meetings[2].id]] == [start]  # d is away later


def test_a_session_cap_refuses_and_hides_slots_of_a_full_session_but_allows_a_move_within_it(db):
    event = _brokerage()
    morning, afternoon = (
        event.sessions[0],
        MeetingSession(starts_at=DAY + timedelta(hours=5), ends_at=DAY + timedelta(hours=6)),
    )
    morning.meeting_cap = 1  # one meeting per participant in the morning
    event.sessions.append(afternoon)
    _db.session.commit()
    a, b, c = (register(event) for _ in range(3))
    nine, half_nine, one_pm = (DAY + timedelta(hours=h) for h in (1, 1.5, 5))
    first = _meeting(event, a, b)
    place_meeting(first, start=nine)
    second = _meeting(event, a, c)
    assert [s.start for s in common_free_slots(second)] == [one_pm, one_pm + timedelta(minutes=30)]
    with pytest.raises(MeetingError, match="already has 1 meeting in that session"):
        place_meeting(second, start=half_nine)
    place_meeting(second, start=one_pm)  # the afternoon has no cap of its own
    assert {s.start for s in common_free_slots(first)} >= {nine, half_nine}  # its own session stays open
    place_meeting(first, start=half_nine)  # moving within the morning keeps a at one meeting there
    assert (first.slot_start, second.slot_start) == (half_nine, one_pm)
