"""Races on a registration's or a meeting's status (issue #13), each made deterministic on PostgreSQL.

Every test runs two (or more) transactions, each in its own thread with its own session and connection,
as two gunicorn workers would: the first acts and keeps its transaction open; the others load the same
rows (as a view does, before any lock), act, and are seen by the server to wait for a lock; only then
does the first commit. Whatever the waiting ones decide must rest on what the first one left, not on
what they read before waiting.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event
from move_events.events.services import cancel_event
from move_events.extensions import db as _db
from move_events.meetings.booking import MeetingError, event_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus
from move_events.meetings.requests import accept_meeting, cancel_meeting
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.services import (
    InvalidTransition,
    NewOrganisation,
    RegistrationClosed,
    approve_registration,
    cancel_registration,
    decline_registration,
    register_person,
)
from tests.factories import make_event, participant, participant_at
from tests.meetings.planning_support import brokerage, meeting_between

pytestmark = pytest.mark.postgres_only  # SQLite serialises writers on the file: no race to lose there

S = RegistrationStatus
WAIT_LIMIT = 60.0  # seconds a step may take before the test gives up (a hang, not a measurement)


class Transaction(threading.Thread):
    """One request in a thread of its own: ``action`` in its own app context (its own session and
    connection), then a commit, once ``release`` is set when ``hold`` is true. An error the action
    raises is kept in ``error`` and its transaction rolled back, as a view does."""

    def __init__(self, app: Flask, action: Callable[[], object], *, hold: bool = False) -> None:
        super().__init__(daemon=True)
        self.app, self.action = app, action
        self.acted, self.release = threading.Event(), threading.Event()
        if not hold:
            self.release.set()
        self.result: object = None
        self.error: Exception | None = None

    def run(self) -> None:
        with self.app.app_context():
            try:
                self.result = self.action()
                self.acted.set()
                assert self.release.wait(WAIT_LIMIT), "never released"
                _db.session.commit()
            except Exception as error:  # kept for the test to look at
                _db.session.rollback()
                self.error = error
            finally:
                self.acted.set()
                _db.session.remove()

    def finish(self) -> None:
        self.release.set()
        self.join(WAIT_LIMIT)
        assert not self.is_alive(), "the transaction did not finish"


def lock_waiters() -> int:
    """Connections to this test's database that wait for a lock another transaction holds."""
    with _db.engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def wait_for_lock_waiters(count: int) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while lock_waiters() < count:
        assert time.monotonic() < deadline, f"fewer than {count} transactions ever waited for a lock"
        time.sleep(0.02)


def race(app: Flask, first: Callable[[], object], *others: Callable[[], object]) -> list[Transaction]:
    """``first`` acts and holds its transaction open until every one of ``others`` waits for a lock,
    then commits; the others then go on, one after the other as their locks allow."""
    holder = Transaction(app, first, hold=True)
    holder.start()
    assert holder.acted.wait(WAIT_LIMIT)
    assert holder.error is None, holder.error
    waiting = [Transaction(app, action) for action in others]
    for transaction in waiting:
        transaction.start()
    wait_for_lock_waiters(len(waiting))
    for transaction in (holder, *waiting):
        transaction.finish()
    _db.session.expire_all()
    return [holder, *waiting]


def mails() -> Counter:
    return Counter(_db.session.scalars(select(OutboxMessage.kind)))


def status_of(registration_id: int) -> RegistrationStatus:
    return _db.session.get(Registration, registration_id).status


def registration(registration_id: int) -> Registration:
    """The registration as a view loads it, in the calling thread's own session."""
    return _db.session.get(Registration, registration_id)


# --- registrations ---------------------------------------------------------------------------------


def test_double_click_approve_on_the_last_seat_stays_confirmed(app: Flask, db):
    event = make_event(published=True, capacity=1, approval_required=True)
    pending = participant_at(event, status=S.PENDING).id

    first, second = race(
        app,
        lambda: approve_registration(registration(pending)),
        lambda: approve_registration(registration(pending)),
    )

    assert first.error is None
    assert isinstance(second.error, InvalidTransition)  # the second click finds it approved already
    assert status_of(pending) == S.CONFIRMED
    assert mails() == {"registration_approved": 1}


@pytest.mark.parametrize("first_acts", ["decline", "cancel"])
def test_declining_the_first_waiting_person_while_a_seat_frees_keeps_the_list_whole(
    app: Flask, db, first_acts: str
):
    """The organiser declines the first person on the waiting list at the moment a confirmed person
    cancels: either the seat goes to the second waiting person (decline first), or the first waiting
    person is promoted and the decline is refused (cancel first). Never a free seat with people waiting,
    never someone told "declined" and "a seat is free" both."""
    event = make_event(published=True, capacity=1, waitlist_enabled=True)
    seated = participant_at(event).id
    first_waiting = participant_at(event, status=S.WAITLISTED).id
    second_waiting = participant_at(event, status=S.WAITLISTED).id
    decline = lambda: decline_registration(registration(first_waiting))  # noqa: E731
    cancel = lambda: cancel_registration(registration(seated))  # noqa: E731

    if first_acts == "decline":
        declined, cancelled = race(app, decline, cancel)
    else:
        cancelled, declined = race(app, cancel, decline)

    assert cancelled.error is None
    assert status_of(seated) == S.CANCELLED
    if first_acts == "decline":
        assert declined.error is None
        assert (status_of(first_waiting), status_of(second_waiting)) == (S.DECLINED, S.CONFIRMED)
        assert mails() == {
            "registration_declined": 1,
            "registration_cancelled": 1,
            "registration_promoted": 1,
        }
    else:
        assert isinstance(declined.error, InvalidTransition)
        assert (status_of(first_waiting), status_of(second_waiting)) == (S.CONFIRMED, S.WAITLISTED)
        assert mails() == {"registration_cancelled": 1, "registration_promoted": 1}


def test_simultaneous_cancellations_send_one_mail(app: Flask, db):
    event = make_event(published=True, capacity=1, waitlist_enabled=True)
    seated = participant_at(event).id
    waiting = participant_at(event, status=S.WAITLISTED).id
    cancel = lambda: cancel_registration(registration(seated))  # noqa: E731

    first, *others = race(app, cancel, cancel, cancel)

    assert first.error is None
    assert all(isinstance(other.error, InvalidTransition) for other in others)
    assert (status_of(seated), status_of(waiting)) == (S.CANCELLED, S.CONFIRMED)
    assert mails() == {"registration_cancelled": 1, "registration_promoted": 1}


@pytest.mark.parametrize("organisation", ["new", "existing"])
def test_one_new_person_registering_for_two_events_at_once_gets_both(app: Flask, db, organisation: str):
    """Two events, two event locks: nothing serialises the two registrations but the unique
    constraints on the organisation (name, country) and the person's e-mail. The second to insert takes
    the first one's rows: both registrations are kept, the person and organisation are there once."""
    morning, afternoon = make_event(published=True), make_event(published=True)
    event_ids = (morning.id, afternoon.id)
    if organisation == "existing":
        participant_at(morning, organisation="Atlas Hydrogène", country="MA")  # the organisation exists
    existing = organisation == "existing"

    def register(event_id: int):
        choice = (
            _db.session.scalar(select(Organisation).where(Organisation.name == "Atlas Hydrogène"))
            if existing
            else NewOrganisation(name="Atlas Hydrogène", kind=OrganisationKind.SME, country="MA")
        )
        details = participant(email="nadia.alaoui@atlas-h2.example", organisation=choice)
        return register_person(event=_db.session.get(Event, event_id), details=details).id

    first, second = race(app, lambda: register(event_ids[0]), lambda: register(event_ids[1]))

    assert (first.error, second.error) == (None, None)
    person = _db.session.scalar(select(Person).where(Person.email == "nadia.alaoui@atlas-h2.example"))
    rows = _db.session.execute(
        select(Registration.event_id, Registration.status).where(Registration.person == person)
    )
    assert sorted(rows) == sorted((event_id, S.CONFIRMED) for event_id in event_ids)
    assert person.organisation.name == "Atlas Hydrogène"
    same_name = select(func.count()).where(Organisation.name == "Atlas Hydrogène")
    assert _db.session.scalar(same_name) == 1
    assert mails()["registration_confirmed"] == 2


# --- meetings --------------------------------------------------------------------------------------


@pytest.mark.parametrize("first_acts", ["accept", "withdraw"])
def test_withdrawing_a_request_while_it_is_accepted_leaves_no_cancelled_meeting_in_a_slot(
    app: Flask, db, first_acts: str
):
    """The requester withdraws at the moment the counterpart accepts it with a time. Whatever the order,
    a withdrawal that succeeds leaves the meeting cancelled with its seats free; one that comes second
    frees the seats the acceptance took."""
    event = brokerage(slots=2, tables=2)
    requester, counterpart = participant_at(event), participant_at(event)
    meeting_id = meeting_between(requester, counterpart, status=MeetingStatus.REQUESTED).id
    ids = (requester.id, counterpart.id)
    slot = event_slots(event)[0].start

    def accept():
        meeting = _db.session.get(Meeting, meeting_id)
        return accept_meeting(meeting=meeting, by=registration(ids[1]), slot_start=slot)

    def withdraw():
        return cancel_meeting(meeting=_db.session.get(Meeting, meeting_id), by=registration(ids[0]))

    if first_acts == "accept":
        accepted, withdrawn = race(app, accept, withdraw)
    else:
        withdrawn, accepted = race(app, withdraw, accept)

    meeting = _db.session.get(Meeting, meeting_id)
    seats = _db.session.scalars(select(MeetingBooking).where(MeetingBooking.meeting_id == meeting_id)).all()
    assert withdrawn.error is None
    assert meeting.status == MeetingStatus.CANCELLED
    assert (meeting.slot_start, meeting.table_no, seats) == (None, None, [])
    if first_acts == "withdraw":
        assert isinstance(accepted.error, MeetingError)  # "This request is no longer open."
    else:
        assert accepted.error is None


def test_registering_while_the_organiser_cancels_the_event_is_refused(app: Flask, db):
    """The organiser cancels the event while a person's registration waits for the event's lock: the
    registration must see the cancellation (no confirmed seat, no confirmation e-mail for a cancelled
    event), not the published event it loaded before waiting."""
    event_id = make_event(published=True, capacity=10).id
    details = participant(email="late.comer@example.org")

    cancelled, registering = race(
        app,
        lambda: cancel_event(_db.session.get(Event, event_id)),
        lambda: register_person(event=_db.session.get(Event, event_id), details=details),
    )

    assert cancelled.error is None
    assert isinstance(registering.error, RegistrationClosed)
    assert _db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert mails() == {}
