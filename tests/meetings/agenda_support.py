"""Helpers of the agenda tests: a brokerage day at a fixed date in Sofia (UTC+3 in June, so a time-zone
mistake shows), participants made directly (no confirmation mail per person), scheduled meetings placed
with ``booking.place_meeting`` as the app does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from flask import Flask

from move_events.auth.models import User
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event, EventCategory, EventSubtype
from move_events.extensions import db
from move_events.meetings.booking import place_meeting
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event

_serial = count(1)

TIMEZONE = "Europe/Sofia"
FIRST_SLOT = datetime(2027, 6, 15, 6, 0, tzinfo=UTC)  # 09:00 in Sofia (EEST, UTC+3)
SLOT = timedelta(minutes=25)
STEP = timedelta(minutes=30)  # 25-minute slots, 5-minute breaks


def slot_start(index: int) -> datetime:
    """The start (UTC) of the ``index``-th slot (0-based) of the morning session."""
    return FIRST_SLOT + index * STEP


def agenda_event(*, slots: int = 6, tables: int = 3, created_by: User | None = None, **overrides) -> Event:
    """A published B2B event in Sofia with one morning session of ``slots`` 25-minute slots from 09:00."""
    values = {
        "title": "Clean Energy Brokerage Sofia",
        "category": EventCategory.B2B,
        "subtype": EventSubtype.BROKERAGE,
        "timezone": TIMEZONE,
        "venue": "Sofia Tech Park",
        "city": "Sofia",
        "country": "BG",
        "target_country": "BG",
        "starts_at": FIRST_SLOT - timedelta(hours=1),
        "ends_at": FIRST_SLOT + slots * STEP + timedelta(hours=1),
        "has_meetings": True,
        "slot_minutes": 25,
        "break_minutes": 5,
        "tables": tables,
        "sessions": [(FIRST_SLOT, FIRST_SLOT + slots * STEP)],
    }
    values.update(overrides)
    return make_event(published=True, created_by=created_by, **values)


def person_at(
    event: Event,
    given: str = "Salma",
    family: str | None = None,
    *,
    organisation: str | None = None,
    country: str = "MA",
    kind: OrganisationKind = OrganisationKind.SME,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    language: str = "en",
) -> Registration:
    n = next(_serial)
    org = Organisation(name=organisation or f"{given} Org {n}", kind=kind, country=country)
    person = Person(
        given_name=given,
        family_name=family if family is not None else f"Tester{n}",
        email=f"agenda.{n}@example.org",
        organisation=org,
        preferred_language=language,
    )
    registration = Registration(event=event, person=person, status=status)
    db.session.add_all([org, person, registration])
    db.session.commit()
    return registration


def meeting(a: Registration, b: Registration, *, status: MeetingStatus = MeetingStatus.ACCEPTED) -> Meeting:
    """A meeting requested by ``a`` from ``b`` in ``status``, without a time."""
    found = Meeting(event=a.event, requester=a, counterpart=b, status=status)
    db.session.add(found)
    db.session.commit()
    return found


def scheduled(a: Registration, b: Registration, index: int, *, table: int | None = None) -> Meeting:
    """An accepted meeting of ``a`` and ``b`` placed in slot ``index`` (at ``table`` or the first free)."""
    found = meeting(a, b)
    place_meeting(found, start=slot_start(index), table=table)
    db.session.commit()
    return found


def token_for(app: Flask, registration: Registration) -> str:
    with app.test_request_context():
        return make_personal_token(registration)
