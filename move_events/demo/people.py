"""Who is who in the demo: the directory sorted into pools, and registering one of them through the rules.

Plans in ``history`` and ``brokerage`` name people by pool and position ("sme-MA:5-24", "partner-ES",
"tc-BR:1") instead of by name, so that the numbers they produce can be read off the plan.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from move_events.countries import is_eu
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration
from move_events.registration.services import ParticipantDetails, register_person

Pools = dict[str, list[Person]]


def pools() -> Pools:
    """Each organisation's first contact, in creation order, by pool.

    Pools: ``partner-XX`` (partner clusters), ``cluster-XX`` (other EU clusters), ``tc-XX`` (third-country
    clusters and intermediaries), ``sme-XX`` (SMEs), XX being the organisation's country.
    """
    found: Pools = defaultdict(list)
    seen: set[int] = set()
    people = db.session.scalars(
        select(Person)
        .join(Organisation, Person.organisation_id == Organisation.id)
        .order_by(Organisation.id, Person.id)
    )
    for person in people:
        org = person.organisation
        if org is None or org.id in seen:
            continue
        seen.add(org.id)
        if org.is_partner:
            key = "partner"
        elif org.kind in (OrganisationKind.CLUSTER, OrganisationKind.INTERMEDIARY):
            key = "cluster" if is_eu(org.country) else "tc"
        elif org.kind == OrganisationKind.SME:
            key = "sme"
        else:
            continue
        found[f"{key}-{org.country}"].append(person)
    return found


def pick(found: Pools, spec: str) -> list[Person]:
    """``pool`` (its first), ``pool:3`` (the fourth) or ``pool:0-8`` (the first nine, both ends included)."""
    key, _, span = spec.partition(":")
    first, _, last = (span or "0").partition("-")
    chosen = found[key][int(first) : int(last or first) + 1]
    if len(chosen) != int(last or first) - int(first) + 1:
        raise LookupError(f"the demo directory has no {spec}")
    return chosen


def pick_all(found: Pools, specs: tuple[str, ...]) -> list[Person]:
    return [person for spec in specs for person in pick(found, spec)]


def register(
    event: Event, person: Person, *, at: datetime | None, profile: dict | None = None
) -> Registration:
    """Register ``person`` as they would have through the public form at ``at``: same seat and duplicate
    rules, consent given (``at`` None: now). ``profile`` holds offers / requests / sectors / target_markets."""
    details = ParticipantDetails(
        given_name=person.given_name,
        family_name=person.family_name,
        email=person.email,
        preferred_language=person.preferred_language,
        consent=True,
        **(profile or {}),
    )
    return register_person(event=event, details=details, now=at)


def has_registrations(event: Event) -> bool:
    """Registrations of an event are written once: an event that has any is left as it is."""
    return (
        db.session.scalar(select(Registration.id).where(Registration.event_id == event.id).limit(1))
        is not None
    )
