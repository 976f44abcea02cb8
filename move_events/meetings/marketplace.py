"""The marketplace: the confirmed participants of an event with meetings, searched and filtered.

Profiles show the person, their organisation (kind, country, sectors) and their business profile
(offers, requests, sectors, target markets) — never an e-mail address or a phone number: participants
reach each other through meeting requests only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql import Select

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class MarketplaceFilters:
    q: str = ""
    country: str = ""
    kind: str = ""
    sector: str = ""
    market: str = ""


@dataclass
class FilterOptions:
    """The values present among the event's participants, for the filter selects."""

    countries: list[str] = field(default_factory=list)
    kinds: list[OrganisationKind] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)


def _json_list_has(column, value: str):
    """Does the JSON list ``column`` hold ``value``? Portable: the list's text holds the JSON string
    (SQLite stores the text, PostgreSQL's json type keeps it as written; both were written by
    json.dumps), compared case-insensitively."""
    return func.lower(cast(column, String)).contains(json.dumps(value).lower(), autoescape=True)


def participants(event: Event) -> Select:
    """The event's confirmed participants with their person and organisation, by name.

    The person and organisation come from the same joined rows (``contains_eager``): a page of
    profiles costs one query, not two more per profile (issue #14)."""
    return (
        select(Registration)
        .join(Registration.person)
        .outerjoin(Person.organisation)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(contains_eager(Registration.person).contains_eager(Person.organisation))
        .order_by(func.lower(Person.given_name), func.lower(Person.family_name), Registration.id)
    )


def search_profiles(
    *, event: Event, filters: MarketplaceFilters, viewer: Registration | None = None
) -> Select:
    """The participants matching every filter given; the viewer is left out (nobody meets themselves)."""
    stmt = participants(event)
    if viewer is not None:
        stmt = stmt.where(Registration.id != viewer.id)
    words = filters.q.split()
    for word in words[:8]:
        pattern = word.lower()
        # As the word is written inside a JSON list, where "é" is "\u00e9": an escape has no case, so the
        # usual spellings are tried (énergie, Énergie, ÉNERGIE).
        in_json = {json.dumps(v)[1:-1].lower() for v in (word, pattern, word.capitalize(), word.upper())}
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).contains(pattern, autoescape=True)
                    for column in (
                        Person.given_name,
                        Person.family_name,
                        Person.job_title,
                        Organisation.name,
                        Organisation.city,
                        Registration.offers,
                        Registration.requests,
                    )
                ),
                *(
                    func.lower(cast(column, String)).contains(variant, autoescape=True)
                    for column in (Registration.profile_sectors, Organisation.sectors)
                    for variant in sorted(in_json)
                ),
            )
        )
    if filters.country:
        stmt = stmt.where(Organisation.country == filters.country.upper())
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    if filters.sector:
        stmt = stmt.where(
            or_(
                _json_list_has(Registration.profile_sectors, filters.sector),
                _json_list_has(Organisation.sectors, filters.sector),
            )
        )
    if filters.market:
        stmt = stmt.where(_json_list_has(Registration.target_markets, filters.market.upper()))
    return stmt


def filter_options(event: Event) -> FilterOptions:
    """Countries, kinds, sectors and markets that occur among the event's confirmed participants."""
    rows = db.session.execute(
        select(
            Organisation.country,
            Organisation.kind,
            Organisation.sectors,
            Registration.profile_sectors,
            Registration.target_markets,
        )
        .select_from(Registration)
        .join(Registration.person)
        .outerjoin(Person.organisation)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
    )
    countries, kinds, sectors, markets = set(), set(), {}, set()
    for country, kind, org_sectors, profile_sectors, target_markets in rows:
        if country:
            countries.add(country)
        if kind:
            kinds.add(OrganisationKind(kind))
        for sector in [*(org_sectors or []), *(profile_sectors or [])]:
            sectors.setdefault(sector.strip().lower(), sector.strip())
        markets.update(target_markets or [])
    return FilterOptions(
        countries=sorted(countries),
        kinds=[kind for kind in OrganisationKind if kind in kinds],
        sectors=sorted((s for s in sectors.values() if s), key=str.lower),
        markets=sorted(markets),
    )


def profile_of(event: Event, registration_id: int) -> Registration | None:
    """A confirmed participant of the event, or None (someone else's id, cancelled, another event)."""
    return db.session.scalar(
        select(Registration).where(
            Registration.id == registration_id,
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
