"""Organiser services for an event's meetings: the filtered list and its counts, meetings arranged
directly (how C2C meetings are made), lock / unlock, move, unschedule and organiser notes.

The scheduler run for a whole event is in scheduler_run.py; marks and ratings in outcomes.py.
Seats are only written through ``booking.place_meeting`` / ``unplace_meeting`` here, so the database's
no-double-booking constraints hold whoever else is booking at the same time. Every change decides on
the meeting (or the two sides) as re-read under the participants' locks (``booking.lock_meeting``),
not as the page loaded it: a side may have withdrawn, or another organiser marked it, meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from move_events.db_types import utcnow
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.booking import (
    MeetingError,
    lock_meeting,
    lock_participants,
    place_meeting,
    unplace_meeting,
)
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.meetings.requests import counted_meetings
from move_events.registration.models import Registration, RegistrationStatus

# A pair of participants has at most one of these at a time: a second would only duplicate the first.
LIVE = (MeetingStatus.REQUESTED, MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED)
# Meetings that hold (or held) seats and may no longer be moved or unscheduled.
MARKED = (MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)


class PlanningError(MeetingError):
    """An organiser's change to a meeting was refused; the message is shown to them."""


@dataclass(frozen=True, kw_only=True)
class MeetingFilters:
    """The list's filters; ``None`` / empty leaves a criterion open."""

    status: MeetingStatus | None = None
    name: str = ""  # part of either side's name or organisation
    slot: datetime | None = None  # slot start (UTC)
    unscheduled: bool = False  # only meetings without a slot


def filtered_meetings(event: Event, filters: MeetingFilters) -> Select:
    """The event's meetings matching ``filters``, by slot (unscheduled last), then table and id, with
    both sides' people and organisations loaded in a constant number of queries."""
    stmt = select(Meeting).where(Meeting.event_id == event.id)
    if filters.status is not None:
        stmt = stmt.where(Meeting.status == filters.status)
    if filters.slot is not None:
        stmt = stmt.where(Meeting.slot_start == filters.slot)
    if filters.unscheduled:
        stmt = stmt.where(Meeting.slot_start.is_(None))
    if filters.name.strip():
        stmt = stmt.where(_name_matches(filters.name.strip()))
    return stmt.order_by(
        Meeting.slot_start.is_(None), Meeting.slot_start, Meeting.table_no, Meeting.id
    ).options(
        selectinload(Meeting.requester).selectinload(Registration.person).selectinload(Person.organisation),
        selectinload(Meeting.counterpart).selectinload(Registration.person).selectinload(Person.organisation),
    )


def _name_matches(text: str):
    """Either side's given name, family name, full name or organisation contains ``text``."""
    from move_events.directory.models import Organisation

    needle = text.lower()  # matched literally: the user's % and _ are not LIKE wildcards
    registration, person, organisation = aliased(Registration), aliased(Person), aliased(Organisation)
    full_name = func.lower(person.given_name + " " + person.family_name)
    matching = (
        select(registration.id)
        .join(person, registration.person_id == person.id)
        .outerjoin(organisation, person.organisation_id == organisation.id)
        .where(
            or_(
                full_name.contains(needle, autoescape=True),
                func.lower(organisation.name).contains(needle, autoescape=True),
            )
        )
    )
    return or_(Meeting.requester_id.in_(matching), Meeting.counterpart_id.in_(matching))


def meeting_status_counts(event: Event) -> dict[MeetingStatus, int]:
    """Meetings per status (every status present, zeros included), in one GROUP BY."""
    counts = dict.fromkeys(MeetingStatus, 0)
    rows = db.session.execute(
        select(Meeting.status, func.count(Meeting.id))
        .where(Meeting.event_id == event.id)
        .group_by(Meeting.status)
    )
    for status, number in rows:
        counts[MeetingStatus(status)] = number
    return counts


def meeting_slots_in_use(event: Event) -> list[datetime]:
    """Slot starts that hold at least one meeting, for the slot filter."""
    return list(
        db.session.scalars(
            select(Meeting.slot_start)
            .where(Meeting.event_id == event.id, Meeting.slot_start.is_not(None))
            .distinct()
            .order_by(Meeting.slot_start)
        )
    )


def confirmed_participants(event: Event) -> list[Registration]:
    """Who can be put in a meeting: the event's confirmed registrations, by name."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Person, Registration.person_id == Person.id)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Person.family_name, Person.given_name, Registration.id)
            .options(selectinload(Registration.person).selectinload(Person.organisation))
        )
    )


def arrange_meeting(
    *,
    event: Event,
    requester: Registration,
    counterpart: Registration,
    locked: bool = False,
    start: datetime | None = None,
    table: int | None = None,
    notes: str = "",
) -> Meeting:
    """An organiser puts two confirmed participants in a meeting: accepted at once, marked as arranged,
    optionally placed at ``start`` (and ``table``) and locked there.

    Refused when the event has no meetings, a side is not a confirmed participant of this event, or the
    two already have a live meeting. A lock needs a slot: a locked meeting without one would be moved by
    nothing and mean nothing. Placing may raise SlotTaken (session rolled back) or MeetingError.
    """
    if not event.has_meetings:
        raise PlanningError(_l("This event has no one-to-one meetings."))
    lock_participants((requester.id, counterpart.id))  # then read the two as they are now
    for side in (requester, counterpart):
        db.session.refresh(side)
    for side in (requester, counterpart):
        if side.event_id != event.id or side.status != RegistrationStatus.CONFIRMED:
            raise PlanningError(_l("Only confirmed participants of this event can meet."))
    if requester.id == counterpart.id:
        raise PlanningError(_l("A meeting needs two different participants."))
    if locked and start is None:
        raise PlanningError(_l("Choose a time to lock the meeting at."))
    if _live_meeting_between(requester, counterpart) is not None:
        raise PlanningError(
            _l(
                "%(a)s and %(b)s already have a meeting.",
                a=requester.person.full_name,
                b=counterpart.person.full_name,
            )
        )
    now = utcnow()
    meeting = Meeting(
        event=event,
        requester=requester,
        counterpart=counterpart,
        status=MeetingStatus.ACCEPTED,
        arranged_by_organiser=True,
        requested_at=now,
        responded_at=now,
        organiser_notes=notes.strip(),
    )
    db.session.add(meeting)
    db.session.flush()
    if start is not None:
        place_meeting(meeting, start=start, table=table)
        meeting.locked = locked
        db.session.flush()
    return meeting


def over_cap_warnings(meeting: Meeting) -> list[str]:
    """What to tell the organiser who just arranged ``meeting``: each side who now has more agreed
    meetings than the event's cap.

    Organisers may arrange past the cap (they decide); the scheduler run keeps the cap, so one of such a
    side's unlocked meetings will be left without a time. A locked meeting keeps its place: no warning.
    """
    cap = meeting.event.meeting_cap
    if cap is None or meeting.locked:
        return []
    warnings = []
    for side in (meeting.requester, meeting.counterpart):
        count = counted_meetings(side.id)
        if count > cap:
            warnings.append(
                _l(
                    "%(name)s now has %(count)s agreed meetings, more than the event's cap of %(cap)s. A"
                    " scheduler run will leave one of them without a time unless it is locked.",
                    name=side.person.full_name,
                    count=count,
                    cap=cap,
                )
            )
    return warnings


def _live_meeting_between(a: Registration, b: Registration) -> Meeting | None:
    return db.session.scalars(
        select(Meeting).where(
            Meeting.status.in_(LIVE),
            or_(
                and_(Meeting.requester_id == a.id, Meeting.counterpart_id == b.id),
                and_(Meeting.requester_id == b.id, Meeting.counterpart_id == a.id),
            ),
        )
    ).first()


def set_meeting_lock(meeting: Meeting, *, locked: bool) -> None:
    """Lock a placed meeting where it is (the scheduler will not move it), or unlock it."""
    lock_meeting(meeting)
    if locked and (meeting.slot_start is None or meeting.status != MeetingStatus.SCHEDULED):
        raise PlanningError(_l("Only a meeting with a time can be locked."))
    meeting.locked = locked
    db.session.flush()


def move_meeting(meeting: Meeting, *, start: datetime, table: int | None = None) -> None:
    """Put the meeting at another slot / table, keeping its lock. Held or missed meetings stay put."""
    lock_meeting(meeting)  # a side may have withdrawn it meanwhile: place_meeting then refuses
    if meeting.status in MARKED:
        raise PlanningError(_l("A meeting that was held or missed cannot be moved."))
    place_meeting(meeting, start=start, table=table)


def unschedule_meeting(meeting: Meeting) -> None:
    """Take the meeting out of its slot (back to accepted) and unlock it: a lock keeps a place."""
    lock_meeting(meeting)
    if meeting.status in MARKED:
        raise PlanningError(_l("A meeting that was held or missed cannot be unscheduled."))
    if meeting.slot_start is None:
        raise PlanningError(_l("This meeting has no time yet."))
    unplace_meeting(meeting)
    meeting.locked = False
    db.session.flush()


def set_organiser_notes(meeting: Meeting, *, notes: str) -> None:
    """Notes for organisers only: no participant page or export for participants shows them."""
    meeting.organiser_notes = notes.strip()
    db.session.flush()
