from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from move_events.directory.models import Organisation, Person
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.services import (
    AlreadyRegistered,
    EventFull,
    InvalidTransition,
    RegistrationClosed,
    RegistrationError,
    approve_registration,
    cancel_registration,
    confirm_from_waitlist,
    count_by_status,
    decline_registration,
    register_person,
    seats_left,
)
from tests.factories import make_event, participant, register

S = RegistrationStatus


def mails(db, registration=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if registration is not None:
        query = query.where(OutboxMessage.registration_id == registration.id)
    return db.session.scalars(query).all()


def test_register_confirms_while_seats_remain_then_waitlists(db):
    event = make_event(published=True, capacity=2)
    first, second, third = (register(event) for _ in range(3))
    assert [r.status for r in (first, second, third)] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED]
    assert seats_left(event) == 0
    assert [m.kind for m in mails(db)] == [
        "registration_confirmed", "registration_confirmed", "registration_waitlisted"
    ]  # fmt: skip


def test_register_without_capacity_always_confirms(db):
    event = make_event(published=True, capacity=None)
    assert all(register(event).status == S.CONFIRMED for _ in range(5))
    assert seats_left(event) is None


def test_register_full_event_without_waitlist_refuses(db):
    event = make_event(published=True, capacity=1, waitlist_enabled=False)
    register(event)
    with pytest.raises(EventFull):
        register_person(event=event, details=participant())


def test_register_with_approval_is_pending_until_approved(db):
    event = make_event(published=True, capacity=1, approval_required=True)
    first, second = register(event), register(event)
    assert first.status == second.status == S.PENDING
    approve_registration(first)
    approve_registration(second)
    assert (first.status, second.status) == (S.CONFIRMED, S.WAITLISTED)
    assert mails(db, first)[-1].kind == "registration_approved"


def test_register_same_person_twice_is_refused_with_the_existing_one(db):
    event = make_event(published=True)
    first = register(event, email="Lucia@Example.org")
    with pytest.raises(AlreadyRegistered) as caught:
        register_person(event=event, details=participant(email="lucia@example.ORG"))
    assert caught.value.existing.id == first.id


def test_register_again_after_cancelling_is_allowed(db):
    event = make_event(published=True)
    first = register(event, email="lucia@example.org")
    cancel_registration(first)
    second = register(event, email="lucia@example.org")
    assert second.id != first.id and second.status == S.CONFIRMED
    assert first.person_id == second.person_id


def test_register_reuses_existing_person_and_organisation(db):
    event = make_event(published=True)
    register(event, email="omar@example.ma")
    other = make_event(published=True)
    again = register(other, email="OMAR@example.ma", given_name="Someone Else")
    assert again.person.given_name == "Salma"  # a public form never overwrites a stored person
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1  # theirs is kept


@pytest.mark.parametrize(
    ("overrides", "now_offset"),
    [
        ({"registration_closes_at": datetime(2026, 1, 1, tzinfo=UTC)}, timedelta(0)),
        ({}, timedelta(days=400)),
    ],
)
def test_register_outside_window_is_closed(db, overrides, now_offset):
    event = make_event(published=True, starts_at=datetime.now(UTC) + timedelta(days=30), **overrides)
    with pytest.raises(RegistrationClosed):
        register_person(event=event, details=participant(), now=datetime.now(UTC) + now_offset)


def test_register_draft_event_is_closed(db):
    event = make_event(published=False)
    with pytest.raises(RegistrationClosed):
        register_person(event=event, details=participant())


def test_register_needs_consent_unless_organiser_adds(db):
    event = make_event(published=True)
    with pytest.raises(RegistrationError, match="privacy"):
        register_person(event=event, details=participant(consent=False))
    added = register_person(event=event, details=participant(consent=False), by_organiser=True)
    assert added.status == S.CONFIRMED and added.consent_at is None


def test_cancel_promotes_first_waitlisted_and_tells_them(db):
    event = make_event(published=True, capacity=1)
    seated = register(event)
    first_waiting, second_waiting = register(event), register(event)
    promoted = cancel_registration(seated)
    assert promoted == [first_waiting]
    assert first_waiting.status == S.CONFIRMED and second_waiting.status == S.WAITLISTED
    assert mails(db, seated)[-1].kind == "registration_cancelled"
    promotion = mails(db, first_waiting)[-1]
    assert promotion.kind == "registration_promoted"
    assert [a.filename for a in promotion.attachments] == [f"{event.slug}.ics", f"badge-{event.slug}.pdf"]


def test_cancel_waitlisted_promotes_nobody(db):
    event = make_event(published=True, capacity=1)
    register(event)
    waiting, next_waiting = register(event), register(event)
    assert cancel_registration(waiting) == []
    assert next_waiting.status == S.WAITLISTED


def test_cancel_twice_is_refused(db):
    registration = register(make_event(published=True))
    cancel_registration(registration)
    with pytest.raises(InvalidTransition):
        cancel_registration(registration)


def test_decline_and_confirm_from_waitlist(db):
    event = make_event(published=True, capacity=1)
    register(event)
    waiting, other = register(event), register(event)
    confirm_from_waitlist(waiting)  # an organiser's decision, beyond capacity
    decline_registration(other)
    counts = count_by_status(event)
    assert counts[S.CONFIRMED] == 2 and counts[S.DECLINED] == 1 and counts[S.WAITLISTED] == 0
    with pytest.raises(InvalidTransition):
        decline_registration(waiting)


def test_confirmation_mail_carries_the_event_as_ics(db):
    from icalendar import Calendar

    event = make_event(published=True, title="Hydrogen Days Casablanca")
    registration = register(event)
    message = mails(db, registration)[0]
    assert "Hydrogen Days Casablanca" in message.subject
    calendar = Calendar.from_ical(message.attachments[0].data)
    entry = next(iter(calendar.walk("VEVENT")))
    assert str(entry["SUMMARY"]) == "Hydrogen Days Casablanca"
    assert entry.decoded("DTSTART") == event.starts_at
    assert "/r/" in message.body_text  # the personal link


def test_live_registration_is_unique_in_the_database(db):
    from sqlalchemy.exc import IntegrityError

    event = make_event(published=True)
    first = register(event)
    db.session.add(Registration(event=event, person=first.person, status=S.WAITLISTED))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
