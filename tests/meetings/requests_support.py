"""Helpers of the meeting-request tests: an event with meetings and participants made directly (fast:
no confirmation mail with a badge PDF per person), and their personal links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from flask import Flask

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event

_serial = count(1)


def meeting_event(*, slots: int = 4, tables: int = 2, meeting_cap: int | None = None, **overrides) -> Event:
    """A published event with one session of ``slots`` 30-minute slots, starting an hour in."""
    starts = overrides.pop(
        "starts_at", datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=30)
    )
    overrides["starts_at"] = starts
    session_start = starts + timedelta(hours=1)
    return make_event(
        published=True,
        has_meetings=True,
        slot_minutes=30,
        break_minutes=0,
        tables=tables,
        meeting_cap=meeting_cap,
        sessions=[(session_start, session_start + timedelta(minutes=30 * slots))],
        **overrides,
    )


def participant_of(
    event: Event,
    name: str = "Salma",
    *,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    country: str = "MA",
    kind: OrganisationKind = OrganisationKind.SME,
    organisation: str | None = None,
    org_sectors: list[str] | None = None,
    language: str = "en",
    **profile,
) -> Registration:
    n = next(_serial)
    org = Organisation(
        name=organisation or f"{name} Org {n}", kind=kind, country=country, sectors=org_sectors or []
    )
    person = Person(
        given_name=name,
        family_name=f"Tester{n}",
        email=f"{name.lower()}.{n}@example.org",
        phone="+212600000000",
        organisation=org,
        preferred_language=language,
    )
    registration = Registration(event=event, person=person, status=status, **profile)
    db.session.add_all([org, person, registration])
    db.session.commit()
    return registration


def token_for(app: Flask, registration: Registration) -> str:
    with app.test_request_context():
        return make_personal_token(registration)
