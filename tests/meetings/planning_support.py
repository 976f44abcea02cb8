"""Helpers of the planning and outcome tests: an event with meeting slots, confirmed participants made
directly (no confirmation mail per person), meetings in a given state, personal links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from flask import Flask

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event, EventCategory, EventSubtype
from move_events.extensions import db
from move_events.meetings.booking import event_slots, place_meeting
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event

_serial = count(1)


def brokerage(
    *,
    slots: int = 4,
    tables: int = 2,
    meeting_cap: int | None = None,
    starts_in: timedelta | None = None,
    **kw,
) -> Event:
    """A published B2B event with one session of ``slots`` 30-minute slots, its first slot starting
    ``starts_in`` from now (default: 30 days ahead; negative: already under way)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    first = now + (starts_in if starts_in is not None else timedelta(days=30))
    return make_event(
        published=True,
        category=kw.pop("category", EventCategory.B2B),
        subtype=EventSubtype.BROKERAGE,
        starts_at=first - timedelta(hours=1),
        ends_at=first + timedelta(minutes=30 * slots + 60),
        has_meetings=True,
        slot_minutes=30,
        break_minutes=0,
        tables=tables,
        meeting_cap=meeting_cap,
        sessions=[(first, first + timedelta(minutes=30 * slots))],
        **kw,
    )


def person_at(
    event: Event,
    name: str = "Salma",
    *,
    kind: OrganisationKind = OrganisationKind.SME,
    country: str = "MA",
    organisation: str | None = None,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
) -> Registration:
    n = next(_serial)
    org = Organisation(name=organisation or f"{name} Org {n}", kind=kind, country=country)
    person = Person(
        given_name=name, family_name=f"Planner{n}", email=f"{name.lower()}.p{n}@example.org", organisation=org
    )
    registration = Registration(event=event, person=person, status=status)
    db.session.add_all([org, person, registration])
    db.session.commit()
    return registration


def meeting_between(
    a: Registration,
    b: Registration,
    *,
    status: MeetingStatus = MeetingStatus.ACCEPTED,
    slot: int | None = None,
    table: int | None = None,
    locked: bool = False,
) -> Meeting:
    """A meeting of a and b; with ``slot`` (index into the event's slots) it is placed there."""
    meeting = Meeting(event=a.event, requester=a, counterpart=b, status=status)
    db.session.add(meeting)
    db.session.flush()
    if slot is not None:
        place_meeting(meeting, start=event_slots(a.event)[slot].start, table=table)
        meeting.locked = locked
    db.session.commit()
    return meeting


def token_for(app: Flask, registration: Registration) -> str:
    with app.test_request_context():
        return make_personal_token(registration)
