"""After a scheduler run: one e-mail per participant whose meetings the run placed, moved or unplaced.

Rules:
- a participant hears from a run only if one of their meetings got a time, got another time or table, or
  lost its time; someone whose meetings all stayed put gets nothing (running the scheduler twice
  without a change sends nothing the second time);
- it is ONE e-mail per participant, however many of their meetings changed, in their own language: their
  whole new agenda (every meeting with a time: when, table, with whom, the changed ones marked), the
  meetings that lost their time, and the link to their personal agenda page;
- the mails are written to the outbox in the run's own transaction: a run that is rolled back sends
  nothing, and a saved run is never silent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.meetings.request_mails import meetings_url
from move_events.meetings.scheduler_run import PlaceChange
from move_events.outbox.services import email_url_context, mail_suppressed, queue_email
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration

PLACED_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)
CHUNK = 1000  # registration ids per IN (...) list


def agenda_url(registration: Registration) -> str:
    """The recipient's own agenda page (an absolute address, for e-mails)."""
    with email_url_context():
        return url_for("meetings.agenda", token=make_personal_token(registration), _external=True)


def notify_schedule_changes(
    *,
    event: Event,
    changes: dict[int, PlaceChange],
    progress: Callable[[float], None] | None = None,
) -> int:
    """Queue one e-mail to each side of the changed meetings (see the module docstring). Flushes;
    returns how many were queued (none inside ``no_mail()``)."""
    if not changes or mail_suppressed():
        return 0
    changed = _meetings(Meeting.id.in_(ids) for ids in _chunks(list(changes)))
    concerned = {side for m in changed for side in (m.requester_id, m.counterpart_id)}
    people = sorted(concerned)
    agendas: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in _meetings(
        (
            Meeting.event_id == event.id,
            Meeting.status.in_(PLACED_STATUSES),
            Meeting.slot_start.is_not(None),
            or_(Meeting.requester_id.in_(ids), Meeting.counterpart_id.in_(ids)),
        )
        for ids in _chunks(people)
    ):
        for side in (meeting.requester_id, meeting.counterpart_id):
            if side in concerned:  # _meetings gives each meeting once
                agendas[side].append(meeting)
    registrations: dict[int, Registration] = {}
    lost: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in changed:
        for side in (meeting.requester, meeting.counterpart):
            registrations[side.id] = side
            if changes[meeting.id] == PlaceChange.LOST:
                lost[side.id].append(meeting)
    for done, registration_id in enumerate(people, start=1):
        _queue(
            event,
            registrations[registration_id],
            sorted(agendas[registration_id], key=lambda m: (m.slot_start, m.table_no or 0)),
            lost[registration_id],
            changes,
        )
        if progress is not None and done % 50 == 0:
            progress(done / len(people))
    return len(people)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _meetings(filters: Iterable) -> list[Meeting]:
    """Meetings matching each set of filters, with both sides, people and organisations loaded."""
    options = [
        joinedload(Meeting.requester).joinedload(Registration.person).joinedload(Person.organisation),
        joinedload(Meeting.counterpart).joinedload(Registration.person).joinedload(Person.organisation),
    ]
    out: dict[int, Meeting] = {}
    for where in filters:
        conditions = where if isinstance(where, tuple) else (where,)
        for meeting in db.session.scalars(select(Meeting).where(*conditions).options(*options)).unique():
            out[meeting.id] = meeting
    return list(out.values())


def _entry(meeting: Meeting, me: int, change: PlaceChange | None) -> dict:
    other = meeting.counterpart if meeting.requester_id == me else meeting.requester
    return {
        "meeting": meeting,
        "other": other.person,
        "organisation": other.person.organisation,
        "change": change.value if change else "",
    }


def _queue(
    event: Event,
    registration: Registration,
    agenda: list[Meeting],
    lost: list[Meeting],
    changes: dict[int, PlaceChange],
) -> None:
    person = registration.person
    queue_email(
        to=person.email,
        template="meeting_schedule_changed",
        subject=_l("Your meeting agenda has changed: %(event)s", event=event.title),  # lazy: their locale
        context={
            "event": event,
            "person": person,
            "agenda": [_entry(m, registration.id, changes.get(m.id)) for m in agenda],
            "lost": [_entry(m, registration.id, PlaceChange.LOST) for m in lost],
            "agenda_url": agenda_url(registration),
            "meetings_url": meetings_url(registration),
        },
        language=person.preferred_language,
        kind="meeting_schedule_changed",
        registration=registration,
    )
