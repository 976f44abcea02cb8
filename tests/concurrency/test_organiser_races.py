"""Races between an organiser's change to a meeting or an event and someone else's (issue #13), each made
deterministic on PostgreSQL the way test_status_races.py does it: the first transaction acts and stays
open until the second, which loaded the same rows before any lock, is seen by the server to wait for a
lock; then the first commits. What the second decides must rest on what the first left.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from move_events.auth.models import Role, User
from move_events.auth.services import create_user
from move_events.db_types import utcnow
from move_events.events.models import Event, EventStatus
from move_events.events.services import EventNotEditable, cancel_event, publish_event
from move_events.extensions import db as _db
from move_events.meetings.booking import MeetingError, event_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingOutcome, MeetingStatus
from move_events.meetings.outcomes import OutcomeError, mark_meeting, rate_meeting
from move_events.meetings.planning import (
    PlanningError,
    arrange_meeting,
    move_meeting,
    set_meeting_lock,
    unschedule_meeting,
)
from move_events.meetings.requests import cancel_meeting, request_meeting
from tests.concurrency.test_status_races import race, registration
from tests.factories import make_event, participant_at
from tests.meetings.planning_support import brokerage, meeting_between

pytestmark = pytest.mark.postgres_only  # SQLite serialises writers on the file: no race to lose there


def meeting(meeting_id: int) -> Meeting:
    """The meeting as a view loads it, in the calling thread's own session."""
    return _db.session.get(Meeting, meeting_id)


def seats(meeting_id: int) -> list[MeetingBooking]:
    return list(_db.session.scalars(select(MeetingBooking).where(MeetingBooking.meeting_id == meeting_id)))


def organiser_id(email: str = "planner@example.org") -> int:
    user = create_user(email=email, password="x" * 12, role=Role.ORGANISER, name="Planner")
    _db.session.commit()
    return user.id


def started_meeting() -> tuple[int, tuple[int, int]]:
    """A meeting placed in a slot that started 45 minutes ago: the meeting's id and its two sides' ids."""
    event = brokerage(slots=4, tables=2, starts_in=timedelta(minutes=-45))
    requester, counterpart = participant_at(event), participant_at(event)
    placed = meeting_between(requester, counterpart, status=MeetingStatus.ACCEPTED, slot=0)
    return placed.id, (requester.id, counterpart.id)


# --- planning: move, lock, arrange -------------------------------------------------------------------


def test_moving_a_meeting_a_side_is_withdrawing_leaves_no_cancelled_meeting_in_a_slot(app: Flask, db):
    """The requester calls the meeting off while an organiser moves it: the move waited for the
    withdrawal and must refuse, not put the cancelled meeting back in a slot with its seats."""
    event = brokerage(slots=3, tables=2)
    requester, counterpart = participant_at(event), participant_at(event)
    meeting_id = meeting_between(requester, counterpart, status=MeetingStatus.ACCEPTED, slot=0).id
    later, requester_id = event_slots(event)[2].start, requester.id

    withdrawn, moved = race(
        app,
        lambda: cancel_meeting(meeting=meeting(meeting_id), by=registration(requester_id)),
        lambda: move_meeting(meeting(meeting_id), start=later),
    )

    assert withdrawn.error is None
    assert isinstance(moved.error, MeetingError)  # "Only accepted meetings can be given a time."
    cancelled = meeting(meeting_id)
    assert (cancelled.status, cancelled.slot_start, cancelled.table_no) == (
        MeetingStatus.CANCELLED,
        None,
        None,
    )
    assert seats(meeting_id) == []


def test_locking_a_meeting_a_side_is_withdrawing_is_refused(app: Flask, db):
    event = brokerage(slots=2, tables=2)
    requester, counterpart = participant_at(event), participant_at(event)
    meeting_id = meeting_between(requester, counterpart, status=MeetingStatus.ACCEPTED, slot=0).id
    requester_id = requester.id

    withdrawn, locked = race(
        app,
        lambda: cancel_meeting(meeting=meeting(meeting_id), by=registration(requester_id)),
        lambda: set_meeting_lock(meeting(meeting_id), locked=True),
    )

    assert withdrawn.error is None
    assert isinstance(locked.error, PlanningError)
    assert (meeting(meeting_id).status, meeting(meeting_id).locked) == (MeetingStatus.CANCELLED, False)


def test_arranging_a_meeting_the_two_are_requesting_makes_no_second_one(app: Flask, db):
    """A participant asks another for a meeting while an organiser arranges one between them: the
    arrangement that waited for the request sees it and refuses, leaving one live meeting."""
    event = brokerage(slots=2, tables=2)
    a, b = participant_at(event).id, participant_at(event).id
    event_id, first_slot = event.id, event_slots(event)[0].start

    requested, arranged = race(
        app,
        lambda: request_meeting(requester=registration(a), counterpart=registration(b)),
        lambda: arrange_meeting(
            event=_db.session.get(Event, event_id),
            requester=registration(a),
            counterpart=registration(b),
            start=first_slot,
        ),
    )

    assert requested.error is None
    assert isinstance(arranged.error, PlanningError)  # "... already have a meeting."
    statuses = _db.session.scalars(select(Meeting.status).where(Meeting.event_id == event_id)).all()
    assert statuses == [MeetingStatus.REQUESTED]
    assert _db.session.scalars(select(MeetingBooking)).all() == []


# --- outcomes: marks, unscheduling, ratings ----------------------------------------------------------


@pytest.mark.parametrize("first_acts", ["mark", "unschedule"])
def test_marking_held_while_another_organiser_unschedules_keeps_one_of_the_two(
    app: Flask, db, first_acts: str
):
    """One organiser marks a meeting held while another takes it out of its slot. Whichever commits
    first wins and the other is refused: never a held meeting without a time (counted by the KPI report
    though it had no table), never an accepted meeting still carrying an organiser's mark."""
    meeting_id, _ = started_meeting()
    by, now = organiser_id(), utcnow()
    mark = lambda: mark_meeting(  # noqa: E731
        meeting(meeting_id), status=MeetingStatus.COMPLETED, by=_db.session.get(User, by), now=now
    )
    unschedule = lambda: unschedule_meeting(meeting(meeting_id))  # noqa: E731

    if first_acts == "mark":
        marked, unscheduled = race(app, mark, unschedule)
    else:
        unscheduled, marked = race(app, unschedule, mark)

    result = meeting(meeting_id)
    if first_acts == "mark":
        assert marked.error is None
        assert isinstance(unscheduled.error, PlanningError)  # "... held or missed cannot be unscheduled."
        assert (result.status, result.marked_by_organiser) == (MeetingStatus.COMPLETED, True)
        assert result.slot_start is not None and len(seats(meeting_id)) == 2
    else:
        assert unscheduled.error is None
        assert isinstance(marked.error, OutcomeError)  # "Only a meeting with a time can be marked ..."
        assert (result.status, result.marked_by_organiser) == (MeetingStatus.ACCEPTED, False)
        assert (result.slot_start, seats(meeting_id)) == (None, [])


def test_two_sides_rating_at_once_both_count(app: Flask, db):
    """One side says the meeting was held while the other says it did not take place: the status must
    come from both ratings (they contradict each other: left scheduled for an organiser), not from
    whichever rating was written last."""
    meeting_id, (requester_id, counterpart_id) = started_meeting()
    now = utcnow()

    held, missed = race(
        app,
        lambda: rate_meeting(
            meeting(meeting_id),
            registration=registration(requester_id),
            outcome=MeetingOutcome.INFORMATIVE,
            now=now,
        ),
        lambda: rate_meeting(
            meeting(meeting_id),
            registration=registration(counterpart_id),
            outcome=MeetingOutcome.DID_NOT_TAKE_PLACE,
            now=now,
        ),
    )

    assert (held.error, missed.error) == (None, None)
    result = meeting(meeting_id)
    assert (result.requester_outcome, result.counterpart_outcome) == (
        MeetingOutcome.INFORMATIVE,
        MeetingOutcome.DID_NOT_TAKE_PLACE,
    )
    assert result.status == MeetingStatus.SCHEDULED


def test_a_rating_that_waited_for_an_organisers_mark_keeps_the_mark(app: Flask, db):
    """An organiser marks the meeting missed while a side rates it held: the organiser's mark is
    authoritative (outcomes rule 2), the rating is kept beside it."""
    meeting_id, (requester_id, _) = started_meeting()
    by, now = organiser_id(), utcnow()

    marked, rated = race(
        app,
        lambda: mark_meeting(
            meeting(meeting_id), status=MeetingStatus.NO_SHOW, by=_db.session.get(User, by), now=now
        ),
        lambda: rate_meeting(
            meeting(meeting_id),
            registration=registration(requester_id),
            outcome=MeetingOutcome.COOPERATION_POSSIBLE,
            now=now,
        ),
    )

    assert (marked.error, rated.error) == (None, None)
    result = meeting(meeting_id)
    assert (result.status, result.marked_by_organiser) == (MeetingStatus.NO_SHOW, True)
    assert result.requester_outcome == MeetingOutcome.COOPERATION_POSSIBLE


# --- events ------------------------------------------------------------------------------------------


def test_publishing_an_event_another_organiser_is_cancelling_leaves_it_cancelled(app: Flask, db):
    event_id = make_event().id  # a draft
    assert _db.session.get(Event, event_id).status == EventStatus.DRAFT

    cancelled, published = race(
        app,
        lambda: cancel_event(_db.session.get(Event, event_id)),
        lambda: publish_event(_db.session.get(Event, event_id)),
    )

    assert cancelled.error is None
    assert isinstance(published.error, EventNotEditable)
    assert _db.session.get(Event, event_id).status == EventStatus.CANCELLED
