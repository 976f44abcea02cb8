"""Meeting request services: who may ask whom, caps, expiry, duplicates, answers, seats and races."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from move_events.db_types import utcnow
from move_events.extensions import db
from move_events.meetings import booking
from move_events.meetings.booking import MeetingError, SlotTaken, event_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus, Unavailability
from move_events.meetings.requests import (
    accept_meeting,
    cancel_meeting,
    decline_meeting,
    expire_requests,
    request_meeting,
    set_unavailability,
)
from move_events.registration.models import Registration, RegistrationStatus
from tests.meetings.requests_support import meeting_event, participant_of


@pytest.fixture
def trio(db):
    event = meeting_event()
    return (
        event,
        participant_of(event, "Amina"),
        participant_of(event, "Bruno"),
        participant_of(event, "Chen"),
    )


def _bookings(meeting: Meeting) -> int:
    return db.session.scalar(select(func.count()).where(MeetingBooking.meeting_id == meeting.id))


def test_request_meeting_expires_after_configured_days_or_at_event_start(app, trio, monkeypatch):
    event, a, b, c = trio
    now = utcnow()
    meeting = request_meeting(requester=a, counterpart=b, message="  Hydrogen logistics?  ", now=now)
    assert meeting.status == MeetingStatus.REQUESTED
    assert meeting.message == "Hydrogen logistics?"
    assert meeting.expires_at == now + timedelta(days=7)  # the event is 30 days away

    monkeypatch.setitem(app.config, "MEETING_REQUEST_EXPIRY_DAYS", 60)
    later = request_meeting(requester=a, counterpart=c, now=now)
    assert later.expires_at == event.starts_at  # the event starts first


def test_request_meeting_refuses_yourself_and_duplicates_in_either_direction(trio):
    _event, a, b, _c = trio
    with pytest.raises(MeetingError, match="yourself"):
        request_meeting(requester=a, counterpart=a)
    request_meeting(requester=a, counterpart=b)
    with pytest.raises(MeetingError, match="already"):
        request_meeting(requester=a, counterpart=b)
    with pytest.raises(MeetingError, match="already"):
        request_meeting(requester=b, counterpart=a)


def test_request_meeting_again_after_a_decline_is_allowed(trio):
    _event, a, b, _c = trio
    decline_meeting(meeting=request_meeting(requester=a, counterpart=b), by=b)
    assert request_meeting(requester=b, counterpart=a).status == MeetingStatus.REQUESTED


@pytest.mark.parametrize("status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED])
def test_request_meeting_needs_both_sides_confirmed(trio, status):
    event, a, _b, _c = trio
    other = participant_of(event, "Dana", status=status)
    with pytest.raises(MeetingError, match="no longer takes part"):
        request_meeting(requester=a, counterpart=other)
    with pytest.raises(MeetingError, match="confirmed participants"):
        request_meeting(requester=other, counterpart=a)


def test_request_meeting_refused_once_the_event_is_over_or_without_meetings(trio):
    event, a, b, _c = trio
    with pytest.raises(MeetingError, match="until the event ends"):
        request_meeting(requester=a, counterpart=b, now=event.ends_at + timedelta(minutes=1))
    event.has_meetings = False
    db.session.commit()
    with pytest.raises(MeetingError):
        request_meeting(requester=a, counterpart=b)


def test_request_meeting_refused_across_events(trio):
    _event, a, _b, _c = trio
    elsewhere = participant_of(meeting_event(), "Eve")
    with pytest.raises(MeetingError, match="same event"):
        request_meeting(requester=a, counterpart=elsewhere)


def test_open_requests_are_capped_per_participant(app, trio, monkeypatch):
    event, a, b, c = trio
    monkeypatch.setitem(app.config, "MEETING_OPEN_REQUESTS_CAP", 2)
    request_meeting(requester=a, counterpart=b)
    first = request_meeting(requester=a, counterpart=c)
    d = participant_of(event, "Dana")
    with pytest.raises(MeetingError, match="unanswered requests"):
        request_meeting(requester=a, counterpart=d)
    cancel_meeting(meeting=first, by=a)  # withdrawing one makes room again
    assert request_meeting(requester=a, counterpart=d).status == MeetingStatus.REQUESTED


def test_meeting_cap_refuses_accepting_beyond_it_and_requests_to_someone_full(db):
    event = meeting_event(meeting_cap=1)
    a, b, c, d = (participant_of(event, name) for name in ("Amina", "Bruno", "Chen", "Dana"))
    ab = request_meeting(requester=a, counterpart=b)
    cb = request_meeting(requester=c, counterpart=b)
    accept_meeting(meeting=ab, by=b)
    with pytest.raises(MeetingError, match="You have reached"):
        accept_meeting(meeting=cb, by=b)
    assert cb.status == MeetingStatus.REQUESTED
    with pytest.raises(MeetingError, match="no room"):
        request_meeting(requester=d, counterpart=b)
    with pytest.raises(MeetingError, match="You have reached"):
        request_meeting(requester=a, counterpart=d)
    # the requester reaching the cap meanwhile blocks the acceptance too
    e = participant_of(event, "Emre")
    dc = request_meeting(requester=d, counterpart=c)
    accept_meeting(meeting=request_meeting(requester=d, counterpart=e), by=e)
    with pytest.raises(MeetingError, match="other participant has no room"):
        accept_meeting(meeting=dc, by=c)


def test_accept_with_a_slot_places_the_meeting_and_books_both_sides(trio):
    event, a, b, _c = trio
    meeting = request_meeting(requester=a, counterpart=b)
    start = event_slots(event)[1].start
    accept_meeting(meeting=meeting, by=b, slot_start=start)
    db.session.commit()
    assert (meeting.status, meeting.slot_start, meeting.table_no) == (MeetingStatus.SCHEDULED, start, 1)
    assert meeting.responded_at is not None
    assert _bookings(meeting) == 2


def test_accept_without_a_slot_waits_for_the_scheduler(trio):
    _event, a, b, _c = trio
    meeting = accept_meeting(meeting=request_meeting(requester=a, counterpart=b), by=b)
    assert (meeting.status, meeting.slot_start) == (MeetingStatus.ACCEPTED, None)
    assert _bookings(meeting) == 0


def test_only_the_counterpart_answers(trio):
    _event, a, b, c = trio
    meeting = request_meeting(requester=a, counterpart=b)
    for who in (a, c):
        with pytest.raises(MeetingError, match="Only the person asked"):
            accept_meeting(meeting=meeting, by=who)
        with pytest.raises(MeetingError, match="Only the person asked"):
            decline_meeting(meeting=meeting, by=who)
    with pytest.raises(MeetingError, match="not your meeting"):
        cancel_meeting(meeting=meeting, by=c)
    with pytest.raises(MeetingError, match="Decline"):
        cancel_meeting(meeting=meeting, by=b)
    assert meeting.status == MeetingStatus.REQUESTED


def test_decline_closes_the_request(trio):
    _event, a, b, _c = trio
    meeting = decline_meeting(meeting=request_meeting(requester=a, counterpart=b), by=b)
    assert meeting.status == MeetingStatus.DECLINED
    with pytest.raises(MeetingError, match="no longer open"):
        accept_meeting(meeting=meeting, by=b)


def test_cancel_a_scheduled_meeting_frees_its_seats(trio):
    event, a, b, _c = trio
    meeting = request_meeting(requester=a, counterpart=b)
    accept_meeting(meeting=meeting, by=b, slot_start=event_slots(event)[0].start)
    cancel_meeting(meeting=meeting, by=b)  # either side may cancel
    db.session.commit()
    assert (meeting.status, meeting.slot_start, meeting.table_no) == (MeetingStatus.CANCELLED, None, None)
    assert _bookings(meeting) == 0


def test_cancel_refuses_a_meeting_the_organiser_locked(trio):
    _event, a, b, _c = trio
    meeting = accept_meeting(meeting=request_meeting(requester=a, counterpart=b), by=b)
    meeting.locked = True
    with pytest.raises(MeetingError, match="organisers fixed"):
        cancel_meeting(meeting=meeting, by=a)


def test_expire_requests_marks_only_overdue_open_requests(trio):
    _event, a, b, c = trio
    now = utcnow()
    asked = request_meeting(requester=b, counterpart=c, now=now - timedelta(days=9))
    answered = accept_meeting(meeting=asked, by=c, now=now - timedelta(days=8, hours=12))
    old = request_meeting(requester=a, counterpart=b, now=now - timedelta(days=8))
    fresh = request_meeting(requester=a, counterpart=c, now=now - timedelta(days=2))
    assert expire_requests(now=now) == 1
    assert old.status == MeetingStatus.EXPIRED and old.responded_at is None
    assert fresh.status == MeetingStatus.REQUESTED
    assert answered.status == MeetingStatus.ACCEPTED
    assert expire_requests(now=now) == 0


def test_an_overdue_request_cannot_be_accepted_and_frees_a_new_request(trio):
    _event, a, b, _c = trio
    meeting = request_meeting(requester=a, counterpart=b, now=utcnow() - timedelta(days=8))
    with pytest.raises(MeetingError, match="no longer open"):
        accept_meeting(meeting=meeting, by=b)
    assert meeting.status == MeetingStatus.EXPIRED
    assert request_meeting(requester=a, counterpart=b).status == MeetingStatus.REQUESTED


def test_accepting_into_a_slot_taken_meanwhile_raises_slot_taken_and_keeps_nothing(trio, monkeypatch):
    """Two answers racing for one person's slot: the database's unique seat decides, the loser's whole
    acceptance is rolled back."""
    event, a, b, c = trio
    start = event_slots(event)[0].start
    first = request_meeting(requester=a, counterpart=b)
    second = request_meeting(requester=c, counterpart=b)
    db.session.commit()
    accept_meeting(meeting=first, by=b, slot_start=start)
    db.session.commit()
    # as if the first acceptance had not yet been committed when the second one looked
    monkeypatch.setattr(booking, "booked_slots", lambda ids: defaultdict(set))
    monkeypatch.setattr(booking, "tables_taken", lambda event: defaultdict(set))
    with pytest.raises(SlotTaken):
        accept_meeting(meeting=second, by=b, slot_start=start)
    db.session.refresh(second)
    assert (second.status, second.slot_start) == (MeetingStatus.REQUESTED, None)
    assert _bookings(second) == 0


def test_set_unavailability_replaces_the_set(trio):
    event, a, _b, _c = trio
    starts = [slot.start for slot in event_slots(event)]
    set_unavailability(registration=a, slot_starts=starts[:2])
    set_unavailability(registration=a, slot_starts=[starts[3]])
    db.session.commit()
    saved = db.session.scalars(
        select(Unavailability.slot_start).where(Unavailability.registration_id == a.id)
    )
    assert list(saved) == [starts[3]]


def test_set_unavailability_refuses_a_slot_with_a_meeting_and_unknown_times(trio):
    event, a, b, _c = trio
    starts = [slot.start for slot in event_slots(event)]
    accept_meeting(meeting=request_meeting(requester=a, counterpart=b), by=b, slot_start=starts[2])
    with pytest.raises(MeetingError, match="already have a meeting"):
        set_unavailability(registration=a, slot_starts=[starts[0], starts[2]])
    with pytest.raises(MeetingError, match="not one of the event's meeting slots"):
        set_unavailability(registration=a, slot_starts=[starts[0] + timedelta(minutes=7)])


def test_cli_meetings_expire(app, runner, trio):
    _event, a, b, _c = trio
    meeting = request_meeting(requester=a, counterpart=b, now=utcnow() - timedelta(days=10))
    db.session.commit()
    result = runner.invoke(args=["meetings", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 meeting request(s) expired" in result.output
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.EXPIRED


@pytest.mark.postgres_only
def test_crossing_requests_between_the_same_two_make_one_meeting(app, trio):
    """A asks B while B asks A: the second waits for the first (row locks) and then sees it."""
    _event, a, b, _c = trio
    a_id, b_id = a.id, b.id
    first_holds, release, outcome = threading.Event(), threading.Event(), {}

    def first() -> None:
        with app.app_context():
            request_meeting(
                requester=db.session.get(Registration, a_id), counterpart=db.session.get(Registration, b_id)
            )
            first_holds.set()
            release.wait(5)
            db.session.commit()
            db.session.remove()

    def second() -> None:
        with app.app_context():
            first_holds.wait(5)
            try:
                request_meeting(
                    requester=db.session.get(Registration, b_id),
                    counterpart=db.session.get(Registration, a_id),
                )
                db.session.commit()
                outcome["second"] = "made"
            except MeetingError as error:
                db.session.rollback()
                outcome["second"] = str(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds.wait(5)
    time.sleep(0.3)  # the second request is now waiting for the first one's locks
    release.set()
    for thread in threads:
        thread.join(10)
    assert "already" in outcome["second"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Meeting.id))) == 1


def test_the_requester_is_told_once_in_their_language_when_a_request_expires(trio):
    from move_events.outbox.models import OutboxMessage

    event, a, b, _c = trio
    a.person.preferred_language = "fr"
    meeting = request_meeting(requester=a, counterpart=b, now=utcnow() - timedelta(days=8))
    db.session.commit()
    assert expire_requests() == 1
    assert expire_requests() == 0  # a second page load finds nothing left to expire, and mails nothing
    db.session.commit()
    (mail,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "meeting_expired"))
    assert mail.to_address == a.person.email
    assert b.person.full_name in mail.subject and event.title in mail.subject
    assert "a expiré" in mail.subject  # French, the requester's language
    assert "/r/" in mail.body_text and meeting.status == MeetingStatus.EXPIRED


def test_no_expiry_mail_once_the_event_is_over(trio):
    from move_events.outbox.models import OutboxMessage

    event, a, b, _c = trio
    request_meeting(requester=a, counterpart=b, now=utcnow() - timedelta(days=8))
    db.session.commit()
    assert expire_requests(now=event.ends_at + timedelta(days=1)) == 1
    assert db.session.scalar(select(func.count()).where(OutboxMessage.kind == "meeting_expired")) == 0
