"""Participant-side meeting services: request, accept, decline, cancel, expire, and availability.

Rules (DESIGN.md §7, issue #5):
- only confirmed participants of an event with meetings take part, and only until the event ends;
- one live meeting (requested, accepted or scheduled) at a time between the same two people, whichever
  side asked: a second request would only duplicate the first;
- a request expires after MEETING_REQUEST_EXPIRY_DAYS or when the event starts, whichever comes first
  (during the event: when it ends), so nobody waits for an answer that is no longer useful;
- Event.meeting_cap limits a participant's meetings (accepted, scheduled or held); a session's own cap
  (MeetingSession.meeting_cap) limits the meetings placed in it, checked where a meeting gets its time
  (``booking.place_meeting``); a participant has at most MEETING_OPEN_REQUESTS_CAP unanswered requests
  out, so nobody mass-mails the whole marketplace;
- seats are only written by ``booking.place_meeting`` / ``unplace_meeting``, which keep the database's
  no-double-booking invariants (a race ends in SlotTaken, with the session rolled back);
- every answer to a meeting (accept, decline, cancel, withdraw) first locks its two participants and only
  then reads the meeting's status (``_lock_meeting``): a withdrawal racing an acceptance sees the meeting
  scheduled and frees its seats, never leaves a cancelled meeting holding them.

A request nobody answered in time gets status EXPIRED (until migration 9d41c7e2a5f3 it was stored as
CANCELLED with ``responded_at`` empty; that migration converted those rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import contains_eager, selectinload

from move_events.db_types import utcnow
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.booking import (
    MeetingError,
    booked_slots,
    event_slots,
    lock_participants,
    place_meeting,
    unplace_meeting,
)
from move_events.meetings.models import Meeting, MeetingStatus, Unavailability
from move_events.meetings.request_mails import notify_meeting
from move_events.registration.models import Registration, RegistrationStatus
from move_events.templating import local_datetime

LIVE = (MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED)
# What counts against Event.meeting_cap: meetings agreed to, placed or already held.
COUNTED = (MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)


def takes_part(registration: Registration, *, now: datetime | None = None) -> bool:
    """Confirmed, at an event with meetings that has not ended: may use the marketplace and requests."""
    event = registration.event
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and event.has_meetings
        and event.ends_at > (now or utcnow())
    )


def request_expiry(event: Event, now: datetime) -> datetime:
    """When a request made ``now`` expires: after the configured days, or at the event's start (its end
    once it has started), whichever is first."""
    days = int(current_app.config["MEETING_REQUEST_EXPIRY_DAYS"])
    limit = event.starts_at if event.starts_at > now else event.ends_at
    return min(now + timedelta(days=days), limit)


def counted_meetings(registration_id: int) -> int:
    """The participant's meetings that count against Event.meeting_cap (COUNTED)."""
    return db.session.scalar(
        select(func.count(Meeting.id)).where(
            or_(Meeting.requester_id == registration_id, Meeting.counterpart_id == registration_id),
            Meeting.status.in_(COUNTED),
        )
    )


def at_cap(registration: Registration) -> bool:
    """Has the participant as many meetings as the event allows each participant?"""
    cap = registration.event.meeting_cap
    return cap is not None and counted_meetings(registration.id) >= cap


def live_meeting_between(a: Registration, b: Registration) -> Meeting | None:
    """The requested, accepted or scheduled meeting between the two, whoever asked, if any."""
    return db.session.scalar(
        select(Meeting).where(
            Meeting.status.in_(LIVE),
            or_(
                and_(Meeting.requester_id == a.id, Meeting.counterpart_id == b.id),
                and_(Meeting.requester_id == b.id, Meeting.counterpart_id == a.id),
            ),
        )
    )


def _open_requests(registration: Registration) -> int:
    return db.session.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.requester_id == registration.id, Meeting.status == MeetingStatus.REQUESTED
        )
    )


def request_meeting(
    *, requester: Registration, counterpart: Registration, message: str = "", now: datetime | None = None
) -> Meeting:
    """Ask ``counterpart`` for a meeting and e-mail them. Raises MeetingError with the reason."""
    now = now or utcnow()
    event = requester.event
    if requester.id == counterpart.id:
        raise MeetingError(_l("You cannot request a meeting with yourself."))
    if counterpart.event_id != requester.event_id:
        raise MeetingError(_l("You can only meet participants of the same event."))
    if not takes_part(requester, now=now):
        raise MeetingError(_l("Meeting requests are open to confirmed participants until the event ends."))
    if not takes_part(counterpart, now=now):
        raise MeetingError(_l("This person no longer takes part in the meetings."))
    lock_participants((requester.id, counterpart.id))
    expire_requests(now=now, event=event)
    if live_meeting_between(requester, counterpart) is not None:
        raise MeetingError(_l("You already have a meeting or an open request with this person."))
    cap = int(current_app.config["MEETING_OPEN_REQUESTS_CAP"])
    if _open_requests(requester) >= cap:
        raise MeetingError(
            _l(
                "You have %(count)s unanswered requests, the most allowed. Wait for answers or cancel one.",
                count=cap,
            )
        )
    if at_cap(requester):
        raise MeetingError(_l("You have reached the number of meetings each participant may have."))
    if at_cap(counterpart):
        raise MeetingError(_l("This person has no room for more meetings at this event."))
    meeting = Meeting(
        event=event,
        requester=requester,
        counterpart=counterpart,
        message=message.strip(),
        status=MeetingStatus.REQUESTED,
        requested_at=now,
        expires_at=request_expiry(event, now),
    )
    db.session.add(meeting)
    db.session.flush()
    notify_meeting(meeting, "requested", to=counterpart)
    return meeting


def _lock_meeting(meeting: Meeting) -> None:
    """Lock the meeting's two participants, then read the meeting again: another answer to it may have
    been committed while this transaction waited for the locks."""
    lock_participants((meeting.requester_id, meeting.counterpart_id))
    db.session.refresh(meeting)


def _check_answerable(meeting: Meeting, by: Registration, now: datetime) -> None:
    if by.id != meeting.counterpart_id:
        raise MeetingError(_l("Only the person asked can answer this request."))
    if meeting.status == MeetingStatus.REQUESTED and meeting.expires_at and meeting.expires_at <= now:
        expire_requests(now=now, event=meeting.event)
    if meeting.status != MeetingStatus.REQUESTED:
        raise MeetingError(_l("This request is no longer open."))


def accept_meeting(
    *,
    meeting: Meeting,
    by: Registration,
    slot_start: datetime | None = None,
    now: datetime | None = None,
) -> Meeting:
    """The counterpart accepts; with ``slot_start`` the meeting is placed in that slot at once, otherwise
    it waits, accepted, for the organiser's scheduler. Raises MeetingError, or SlotTaken after a race
    (the session is then rolled back: nothing of the acceptance is kept)."""
    now = now or utcnow()
    _lock_meeting(meeting)  # as it is now that nobody else can answer it or fill the sides' caps
    _check_answerable(meeting, by, now)
    if not takes_part(by, now=now):
        raise MeetingError(_l("Meetings are open to confirmed participants until the event ends."))
    for side in (meeting.counterpart, meeting.requester):
        if at_cap(side):
            if side.id == by.id:
                raise MeetingError(
                    _l("You have reached the number of meetings each participant may have at this event.")
                )
            raise MeetingError(_l("The other participant has no room for more meetings at this event."))
    meeting.status = MeetingStatus.ACCEPTED
    meeting.responded_at = now
    db.session.flush()
    if slot_start is not None:
        place_meeting(meeting, start=slot_start)
    notify_meeting(meeting, "accepted", to=meeting.requester)
    return meeting


def decline_meeting(*, meeting: Meeting, by: Registration, now: datetime | None = None) -> Meeting:
    """The counterpart says no; the requester is told."""
    now = now or utcnow()
    _lock_meeting(meeting)
    _check_answerable(meeting, by, now)
    meeting.status = MeetingStatus.DECLINED
    meeting.responded_at = now
    db.session.flush()
    notify_meeting(meeting, "declined", to=meeting.requester)
    return meeting


def cancel_meeting(*, meeting: Meeting, by: Registration, now: datetime | None = None) -> Meeting:
    """Either side calls a meeting off (the requester also withdraws an unanswered request). A scheduled
    meeting's seats are freed. Meetings the organiser locked are changed by the organiser only."""
    now = now or utcnow()
    if by.id not in (meeting.requester_id, meeting.counterpart_id):
        raise MeetingError(_l("This is not your meeting."))
    _lock_meeting(meeting)  # an acceptance committed meanwhile has given it seats to free
    if meeting.status not in LIVE:
        raise MeetingError(_l("This meeting can no longer be cancelled."))
    if meeting.status == MeetingStatus.REQUESTED and by.id != meeting.requester_id:
        raise MeetingError(_l("Decline the request instead."))
    if meeting.locked:
        raise MeetingError(_l("The organisers fixed this meeting. Please ask them to change it."))
    if meeting.event.ends_at <= now:
        raise MeetingError(_l("The event is over."))
    if meeting.slot_start is not None:
        unplace_meeting(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.responded_at = now
    db.session.flush()
    other = meeting.counterpart if by.id == meeting.requester_id else meeting.requester
    notify_meeting(meeting, "cancelled", to=other)
    return meeting


def expire_requests(*, now: datetime | None = None, event: Event | None = None) -> int:
    """Mark the unanswered requests whose time is up (of one event, or all) EXPIRED, and tell each
    requester whose event has not ended (they may ask someone else); returns how many expired.

    Called lazily when meeting pages load and by ``flask meetings expire``. One UPDATE ... RETURNING:
    of two pages loading at once, only the one whose UPDATE changed a row mails about it.
    """
    now = now or utcnow()
    stmt = (
        update(Meeting)
        .where(
            Meeting.status == MeetingStatus.REQUESTED,
            Meeting.expires_at.is_not(None),
            Meeting.expires_at <= now,
        )
        .values(status=MeetingStatus.EXPIRED)
        .returning(Meeting.id)
        .execution_options(synchronize_session="fetch")
    )
    if event is not None:
        stmt = stmt.where(Meeting.event_id == event.id)
    expired = list(db.session.scalars(stmt))
    if expired:
        meetings = db.session.scalars(
            select(Meeting)
            .join(Event, Meeting.event_id == Event.id)
            .where(Meeting.id.in_(expired), Event.ends_at > now)
            .order_by(Meeting.id)
            .options(  # what the mails name, in a constant number of queries
                contains_eager(Meeting.event),
                selectinload(Meeting.requester).selectinload(Registration.person),
                selectinload(Meeting.counterpart)
                .selectinload(Registration.person)
                .selectinload(Person.organisation),
            )
        )
        for meeting in meetings:
            notify_meeting(meeting, "expired", to=meeting.requester)
    db.session.flush()
    return len(expired)


def set_unavailability(*, registration: Registration, slot_starts: Iterable[datetime]) -> None:
    """Replace the participant's unavailable slots with ``slot_starts``.

    Every start must be one of the event's slots, and none may hold a meeting of theirs already (cancel
    or move that meeting first): the scheduler must never see someone booked where they cannot be.
    """
    wanted = set(slot_starts)
    valid = {slot.start for slot in event_slots(registration.event)}
    if wanted - valid:
        raise MeetingError(_l("That time is not one of the event's meeting slots."))
    clash = wanted & booked_slots([registration.id])[registration.id]
    if clash:
        zone = registration.event.timezone
        raise MeetingError(
            _l(
                "You already have a meeting at %(times)s. "
                "Cancel that meeting first, or leave that time free.",
                times=", ".join(local_datetime(start, zone, "short") for start in sorted(clash)),
            )
        )
    db.session.execute(delete(Unavailability).where(Unavailability.registration_id == registration.id))
    db.session.add_all(
        Unavailability(registration_id=registration.id, slot_start=start) for start in sorted(wanted)
    )
    db.session.flush()
