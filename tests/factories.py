"""Plain factory functions: realistic objects with sensible defaults, through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from move_events.auth.models import User
from move_events.events.models import Event, EventCategory, EventFormat, EventSubtype
from move_events.events.services import EventDetails, create_event, publish_event
from move_events.extensions import db

_serial = count(1)


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
