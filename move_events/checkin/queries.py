"""Read-only door queries: the name search, and the live counts (arrived, expected, inside)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from move_events.checkin.models import CheckIn, ScanDirection, ScanResult
from move_events.directory.models import Organisation, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus

SEARCH_LIMIT = 20
MOVEMENTS = (ScanResult.WELCOME, ScanResult.ALREADY_CHECKED_IN, ScanResult.LEFT)


def search_attendees(event: Event, query: str) -> list[Registration]:
    """Registrations of ``event`` (any status) whose name, e-mail or organisation contains ``query``."""
    words = query.lower().split()
    if not words:
        return []
    full_name = func.lower(Person.given_name + " " + Person.family_name)
    stmt = (
        select(Registration)
        .join(Registration.person)
        .outerjoin(Person.organisation)
        .where(Registration.event_id == event.id)
        .order_by(Person.family_name, Person.given_name, Registration.id)
        .limit(SEARCH_LIMIT)
    )
    for word in words:
        stmt = stmt.where(
            or_(
                full_name.contains(word, autoescape=True),
                func.lower(Person.email).contains(word, autoescape=True),
                func.lower(Organisation.name).contains(word, autoescape=True),
            )
        )
    return list(db.session.scalars(stmt))


def arrival_counts(event: Event) -> tuple[int, int]:
    """(arrived, expected): confirmed registrations checked in, and all confirmed registrations."""
    confirmed = (Registration.event_id == event.id) & (Registration.status == RegistrationStatus.CONFIRMED)
    arrived = func.count(Registration.checked_in_at)
    row = db.session.execute(select(arrived, func.count(Registration.id)).where(confirmed)).one()
    return int(row[0]), int(row[1])


def is_out(registration: Registration) -> bool:
    """Whether the person's latest accepted entry or exit scan (see ``inside_count``) was an exit."""
    last = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.registration_id == registration.id, CheckIn.result.in_(MOVEMENTS))
        .order_by(CheckIn.id.desc())
        .limit(1)
    ).first()
    return last is not None and last.direction is ScanDirection.EXIT


def inside_count(event: Event) -> int:
    """Confirmed, checked-in registrations whose last accepted scan at the event was not an exit.

    A scan "moves" someone when it is a welcome, an "already checked in" (a re-entry after leaving)
    or an exit; refused scans move nobody. The latest movement is the one with the highest id (the
    log is append-only). Undo clears ``checked_in_at``, so an undone person is not inside.
    """
    last = (
        select(CheckIn.registration_id, func.max(CheckIn.id).label("last_id"))
        .where(CheckIn.event_id == event.id, CheckIn.result.in_(MOVEMENTS))
        .where(CheckIn.registration_id.is_not(None))
        .group_by(CheckIn.registration_id)
        .subquery()
    )
    stmt = (
        select(func.count())
        .select_from(Registration)
        .join(last, last.c.registration_id == Registration.id)
        .join(CheckIn, CheckIn.id == last.c.last_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.checked_in_at.is_not(None),
            CheckIn.direction == ScanDirection.ENTRY,
        )
    )
    return int(db.session.scalar(stmt) or 0)
