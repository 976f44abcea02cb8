"""Read-only door queries: the name search, and the live counts (arrived, expected, inside)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager

from move_events.checkin.models import CheckIn, CheckInList, CheckInListEntry, ScanDirection, ScanResult
from move_events.directory.models import Organisation, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus

SEARCH_LIMIT = 20
MOVEMENTS = (ScanResult.WELCOME, ScanResult.ALREADY_CHECKED_IN, ScanResult.LEFT)


def search_attendees(event: Event, query: str) -> list[Registration]:
    """Registrations of ``event`` (any status) whose name, e-mail or organisation contains ``query``.

    Each with its person and organisation from the same joined rows: the result list shows both, in
    one query whatever the number of matches (issue #14)."""
    words = query.lower().split()
    if not words:
        return []
    full_name = func.lower(Person.given_name + " " + Person.family_name)
    stmt = (
        select(Registration)
        .join(Registration.person)
        .outerjoin(Person.organisation)
        .where(Registration.event_id == event.id)
        .options(contains_eager(Registration.person).contains_eager(Person.organisation))
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


@dataclass(frozen=True)
class DoorCounts:
    """The door's live counter. ``list_arrived`` is None without a check-in list (a list's expected
    count is the event's: every confirmed registration)."""

    arrived: int  # confirmed registrations checked in at the event
    expected: int  # confirmed registrations
    inside: int  # of the arrived, those whose latest movement was not an exit (see ``inside_count``)
    list_arrived: int | None = None  # confirmed registrations on ``checkin_list``


def door_counts(event: Event, checkin_list: CheckInList | None = None) -> DoorCounts:
    """Every number of the door's counter in one statement (it answers every scan): one pass over the
    event's confirmed registrations, each joined to its latest movement and, with a list, to its entry
    on that list (at most one: the pair is unique)."""
    last = _last_movements(event)
    is_inside = Registration.checked_in_at.is_not(None) & (CheckIn.direction == ScanDirection.ENTRY)
    columns = [
        func.count(Registration.checked_in_at),
        func.count(Registration.id),
        func.count(case((is_inside, 1))),
    ]
    stmt = (
        select(*columns)
        .select_from(Registration)
        .outerjoin(last, last.c.registration_id == Registration.id)
        .outerjoin(CheckIn, CheckIn.id == last.c.last_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
    )
    if checkin_list is not None:
        stmt = stmt.add_columns(func.count(CheckInListEntry.id)).outerjoin(
            CheckInListEntry,
            (CheckInListEntry.registration_id == Registration.id)
            & (CheckInListEntry.checkin_list_id == checkin_list.id),
        )
    row = db.session.execute(stmt).one()
    return DoorCounts(
        arrived=int(row[0]),
        expected=int(row[1]),
        inside=int(row[2]),
        list_arrived=int(row[3]) if checkin_list is not None else None,
    )


def arrival_counts(event: Event) -> tuple[int, int]:
    """(arrived, expected): confirmed registrations checked in, and all confirmed registrations."""
    counts = door_counts(event)
    return counts.arrived, counts.expected


def is_out(registration: Registration) -> bool:
    """Whether the person's latest accepted entry or exit scan (see ``inside_count``) was an exit."""
    last = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.registration_id == registration.id, CheckIn.result.in_(MOVEMENTS))
        .order_by(CheckIn.id.desc())
        .limit(1)
    ).first()
    return last is not None and last.direction is ScanDirection.EXIT


def _last_movements(event: Event):
    """Per registration of the event, the id of its latest movement scan (see ``inside_count``)."""
    return (
        select(CheckIn.registration_id, func.max(CheckIn.id).label("last_id"))
        .where(CheckIn.event_id == event.id, CheckIn.result.in_(MOVEMENTS))
        .where(CheckIn.registration_id.is_not(None))
        .group_by(CheckIn.registration_id)
        .subquery()
    )


def inside_count(event: Event) -> int:
    """Confirmed, checked-in registrations whose last accepted scan at the event was not an exit.

    A scan "moves" someone when it is a welcome, an "already checked in" (a re-entry after leaving)
    or an exit; refused scans move nobody. The latest movement is the one with the highest id (the
    log is append-only). Undo clears ``checked_in_at``, so an undone person is not inside. Counted by
    ``door_counts`` with the rest of the door's counter.
    """
    return door_counts(event).inside
