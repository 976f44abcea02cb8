"""Plain factory functions: realistic objects with sensible defaults, through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from move_events.auth.models import User
from move_events.events.models import Event, EventCategory, EventFormat, EventSubtype
from move_events.events.services import EventDetails, create_event, publish_event
from move_events.extensions import db

_serial = count(1)


def upcoming(month: int, day: int, hour: int = 0, minute: int = 0, *, margin_days: int = 60) -> datetime:
    """The next ``month``-``day`` at ``hour``:``minute`` UTC that is at least ``margin_days`` ahead.

    For tests that need a fixed day of the year (a season, hence a time zone's DST, stays what the
    test meant) without a date bomb: a literal future date becomes a past one a year later, and events
    in the past refuse registrations. The weekday changes from year to year: format it, never write it.
    """
    earliest = datetime.now(UTC) + timedelta(days=margin_days)
    for year in range(earliest.year, earliest.year + 2):
        candidate = datetime(year, month, day, hour, minute, tzinfo=UTC)
        if candidate >= earliest:
            return candidate
    raise AssertionError("unreachable")


def event_details(**overrides) -> EventDetails:
    starts = overrides.pop("starts_at", datetime.now(UTC).replace(microsecond=0) + timedelta(days=30))
    values = {
        "title": f"Hydrogen mission to Casablanca {next(_serial)}",
        "category": EventCategory.PREPARATORY,
        "subtype": EventSubtype.WORKSHOP,
        "format": EventFormat.ONSITE,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=6),
        "timezone": "Africa/Casablanca",
        "target_country": "MA",
        "venue": "Technopark",
        "city": "Casablanca",
        "country": "MA",
        "capacity": 50,
    }
    values.update(overrides)
    return EventDetails(**values)


def make_event(*, published: bool = False, created_by: User | None = None, **overrides) -> Event:
    event = create_event(details=event_details(**overrides), created_by=created_by)
    if published:
        publish_event(event)
    db.session.commit()
    return event


def participant(**overrides):
    """ParticipantDetails for a new person at a new organisation, consent given."""
    from move_events.directory.models import OrganisationKind
    from move_events.registration.services import NewOrganisation, ParticipantDetails

    n = next(_serial)
    values = {
        "given_name": "Salma",
        "family_name": f"Tazi {n}",
        "email": f"salma.{n}@atlas-solaire.example",
        "organisation": NewOrganisation(name=f"Atlas Solaire {n}", kind=OrganisationKind.SME, country="MA"),
        "consent": True,
        "preferred_language": "fr",
    }
    values.update(overrides)
    return ParticipantDetails(**values)


def register(event: Event, **overrides):
    from move_events.registration.services import register_person

    registration = register_person(event=event, details=participant(**overrides))
    db.session.commit()
    return registration


def participant_at(
    event: Event,
    given: str = "Salma",
    family: str | None = None,
    *,
    status=None,
    organisation: str | None = None,
    country: str = "MA",
    kind=None,
    org_sectors: list[str] | None = None,
    language: str = "en",
    **profile,
):
    """A registration made directly, confirmed unless ``status`` says otherwise: fast, no confirmation
    mail with a badge PDF per person. ``profile``: Registration fields (offers, requests, …)."""
    from move_events.directory.models import Organisation, OrganisationKind, Person
    from move_events.registration.models import Registration, RegistrationStatus

    n = next(_serial)
    org = Organisation(
        name=organisation or f"{given} Org {n}",
        kind=kind or OrganisationKind.SME,
        country=country,
        sectors=org_sectors or [],
    )
    person = Person(
        given_name=given,
        family_name=family if family is not None else f"Tester{n}",
        email=f"participant.{n}@example.org",
        phone="+212600000000",
        organisation=org,
        preferred_language=language,
    )
    registration = Registration(
        event=event, person=person, status=status or RegistrationStatus.CONFIRMED, **profile
    )
    db.session.add_all([org, person, registration])
    db.session.commit()
    return registration


def meeting_between(a, b, *, status=None, slot: int | None = None, table: int | None = None, locked=False):
    """A meeting requested by ``a`` from ``b`` (accepted unless ``status`` says otherwise); with ``slot``
    (an index into the event's slots) placed there through ``booking.place_meeting``, as the app does."""
    from move_events.meetings.booking import event_slots, place_meeting
    from move_events.meetings.models import Meeting, MeetingStatus

    meeting = Meeting(event=a.event, requester=a, counterpart=b, status=status or MeetingStatus.ACCEPTED)
    db.session.add(meeting)
    db.session.flush()
    if slot is not None:
        place_meeting(meeting, start=event_slots(a.event)[slot].start, table=table)
        meeting.locked = locked
    db.session.commit()
    return meeting


def token_for(app, registration) -> str:
    """The registration's personal link token."""
    from move_events.registration.links import make_personal_token

    with app.test_request_context():
        return make_personal_token(registration)
