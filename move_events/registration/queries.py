"""The organisers' view of an event's registrations: filtered, searched, counted.

One query serves the list page and both exports, so that an export holds exactly the rows the organiser
sees. Person and organisation are loaded in the same SELECT (a list of 2,000 people is one query, not
4,001).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import contains_eager

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True, kw_only=True)
class RegistrationFilters:
    """What the organiser narrows the list to; None or "" means "any"."""

    status: RegistrationStatus | None = None
    country: str | None = None  # the organisation's ISO 3166 alpha-2 code
    kind: OrganisationKind | None = None
    query: str = ""  # every word must appear in the name, e-mail or organisation


_SEARCHED = (Person.given_name, Person.family_name, Person.email, Organisation.name)


def _filtered(stmt: Select, event: Event, filters: RegistrationFilters, *, with_status: bool) -> Select:
    stmt = stmt.where(Registration.event_id == event.id)
    if with_status and filters.status:
        stmt = stmt.where(Registration.status == filters.status)
    if filters.country:
        stmt = stmt.where(Organisation.country == filters.country.strip().upper())
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    for term in filters.query.split():
        stmt = stmt.where(or_(*(_contains(column, term) for column in _SEARCHED)))
    return stmt


def _contains(column: ColumnElement, term: str) -> ColumnElement[bool]:
    """Case-insensitive substring; the user's % and _ are literal characters."""
    return column.icontains(term, autoescape=True)


def filtered_registrations(event: Event, filters: RegistrationFilters | None = None) -> Select:
    """The event's registrations matching ``filters``, by family then given name, person and
    organisation loaded with them."""
    filters = filters or RegistrationFilters()
    stmt = (
        select(Registration)
        .join(Registration.person)
        .outerjoin(Person.organisation)
        .options(contains_eager(Registration.person).contains_eager(Person.organisation))
    )
    stmt = _filtered(stmt, event, filters, with_status=True)
    return stmt.order_by(func.lower(Person.family_name), func.lower(Person.given_name), Registration.id)


def status_counts(event: Event, filters: RegistrationFilters | None = None) -> dict[RegistrationStatus, int]:
    """Registrations per status (zeros included) among those matching every filter but the status
    itself: the counts stay visible while one status is shown, and each is a filter of its own."""
    filters = filters or RegistrationFilters()
    stmt = (
        select(Registration.status, func.count())
        .join(Registration.person)
        .outerjoin(Person.organisation)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update(dict(db.session.execute(_filtered(stmt, event, filters, with_status=False)).all()))
    return counts


def live_registration_count(event: Event) -> int:
    """Registrations holding or waiting for a place (pending, confirmed, waiting list)."""
    stmt = select(func.count()).where(
        Registration.event_id == event.id, Registration.status.in_(RegistrationStatus.live())
    )
    return db.session.scalar(stmt) or 0


def registration_countries(event: Event) -> list[str]:
    """The countries of the organisations registered for the event, for the country filter."""
    stmt = (
        select(Organisation.country)
        .join(Person, Person.organisation_id == Organisation.id)
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id)
        .distinct()
    )
    return sorted(db.session.scalars(stmt))
