"""What the participant's meeting pages show: who is asking (the personal link), their meetings sorted
for the page, the event's slots grouped by session. Read-only helpers for participant_views."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import format_time
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from move_events.db_types import utcnow
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.booking import booked_slots, unavailable_slots
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.meetings.requests import takes_part
from move_events.meetings.scheduling import Slot
from move_events.registration.links import LinkError, LinkExpired, load_personal_token
from move_events.registration.models import Registration, RegistrationStatus


@dataclass
class ParticipantPage:
    """The registration behind the link, or the response to give instead (an error page)."""

    token: str
    registration: Registration | None = None
    response: object | None = None

    @property
    def event(self) -> Event:
        return self.registration.event


def load_participant(token: str, *, allow_ended: bool = False) -> ParticipantPage:
    """The participant behind ``token``, if they take part in the event's meetings.

    An unusable link gets the registration's link error page; a registration that does not take part
    (not confirmed, an event without meetings) gets a page saying so — both 404, telling nothing about
    anyone else. After the event only the meetings page stays readable (``allow_ended``).
    """
    try:
        registration = load_personal_token(token)
    except LinkExpired:
        return ParticipantPage(token, response=_link_error("expired"))
    except LinkError:
        return ParticipantPage(token, response=_link_error("invalid"))
    event = registration.event
    confirmed = registration.status == RegistrationStatus.CONFIRMED and event.has_meetings
    if not confirmed or not (allow_ended or takes_part(registration)):
        reason = "ended" if confirmed else "closed"
        body = render_template("meetings/participant_closed.html", event=event, token=token, reason=reason)
        return ParticipantPage(token, response=(body, 404))
    return ParticipantPage(token, registration=registration)


def _link_error(problem: str):
    return render_template("registration/registration_link_error.html", problem=problem), 404


@dataclass
class MeetingsOverview:
    incoming: list[Meeting] = field(default_factory=list)  # requests waiting for my answer
    outgoing: list[Meeting] = field(default_factory=list)  # my requests waiting for an answer
    agreed: list[Meeting] = field(default_factory=list)  # accepted, scheduled, held
    closed: list[Meeting] = field(default_factory=list)  # declined, cancelled, expired (muted)


def meetings_overview(registration: Registration) -> MeetingsOverview:
    """The participant's meetings, sorted into the page's sections.

    With what the page shows of each (the other side's person and organisation) and the event, in a
    constant number of queries however many meetings there are (issue #14: two a meeting before)."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(or_(Meeting.requester_id == registration.id, Meeting.counterpart_id == registration.id))
        .options(
            joinedload(Meeting.event),
            *(
                selectinload(side).joinedload(Registration.person).joinedload(Person.organisation)
                for side in (Meeting.requester, Meeting.counterpart)
            ),
        )
        .order_by(Meeting.requested_at.desc(), Meeting.id.desc())
    ).all()
    overview = MeetingsOverview()
    for meeting in meetings:
        if meeting.status == MeetingStatus.REQUESTED:
            mine = meeting.counterpart_id == registration.id
            (overview.incoming if mine else overview.outgoing).append(meeting)
        elif meeting.status in (MeetingStatus.DECLINED, MeetingStatus.CANCELLED, MeetingStatus.EXPIRED):
            overview.closed.append(meeting)
        else:
            overview.agreed.append(meeting)
    far = utcnow().replace(year=9999)
    overview.agreed.sort(key=lambda m: (m.slot_start or far, m.id))
    return overview


def other_side(meeting: Meeting, registration: Registration) -> Registration:
    return meeting.counterpart if meeting.requester_id == registration.id else meeting.requester


def local_time(value: datetime, tz: str) -> str:
    """Only the time of day, in the event's zone and the user's locale (the date is in the heading)."""
    return format_time(value.astimezone(ZoneInfo(tz)), "short", rebase=False)


def unavailable_starts(registration: Registration) -> set[datetime]:
    return unavailable_slots([registration.id])[registration.id]


@dataclass
class SlotRow:
    slot: Slot
    booked: bool  # they have a meeting then: the box cannot be ticked


def slots_by_session(registration: Registration, slots: list[Slot]) -> list[list[SlotRow]]:
    """The event's slots grouped by session, each marked when the participant has a meeting in it."""
    booked = booked_slots([registration.id])[registration.id]
    sessions: dict[int, list[SlotRow]] = {}
    for slot in slots:
        sessions.setdefault(slot.session, []).append(SlotRow(slot, slot.start in booked))
    return [sessions[key] for key in sorted(sessions)]
