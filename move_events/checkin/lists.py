"""Check-in lists: per day (or room) welcomes, each person once per list.

An event with several days has one list a day, so a person is welcomed on day 1 and again on day 2,
but a second scan on the same list says "already checked in". ``Registration.checked_in_at`` stays the
first arrival at the event (the KPI report's "attended" counts it); the lists record each entry.

Entering a list is one ``INSERT … ON CONFLICT DO NOTHING … RETURNING id`` against the unique
(list, registration) pair: a row back means this scan won (rowcount is -1 with RETURNING). On
PostgreSQL the second of two simultaneous inserts waits for the first transaction and then does
nothing; SQLite serialises writers. No savepoint is needed (pysqlite's savepoints are unreliable), and
no failed statement poisons the PostgreSQL transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from move_events.auth.models import User
from move_events.checkin.models import CheckInList, CheckInListEntry
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus

NAME_LENGTH = CheckInList.__table__.c.name.type.length


class CheckInListError(Exception):
    """A rule about check-in lists was broken; the message is shown to the user."""


def event_days(event: Event) -> list[date]:
    """The calendar days the event covers, in its own time zone (where the doors are)."""
    zone = ZoneInfo(event.timezone)
    first = event.starts_at.astimezone(zone).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def event_checkin_lists(event: Event) -> list[CheckInList]:
    """The event's lists, by day (lists without a day last), then name."""
    return list(
        db.session.scalars(
            select(CheckInList)
            .where(CheckInList.event_id == event.id)
            .order_by(CheckInList.day.is_(None), CheckInList.day, CheckInList.name, CheckInList.id)
        )
    )


def create_checkin_list(*, event: Event, name: str, day: date | None) -> CheckInList:
    """A new list for ``event``. Its day must be one of the event's days; names are unique per day.

    Two lists of one name on one day would leave door staff guessing which to pick. Flushes.
    """
    name = " ".join(name.split())[:NAME_LENGTH]
    if not name:
        raise CheckInListError(str(_l("Give the list a name.")))
    if day is not None and day not in event_days(event):
        raise CheckInListError(str(_l("The day must be one of the event's days.")))
    for existing in event_checkin_lists(event):
        if existing.name.casefold() == name.casefold() and existing.day == day:
            raise CheckInListError(str(_l("This event already has a list of that name on that day.")))
    checkin_list = CheckInList(event_id=event.id, name=name, day=day)
    db.session.add(checkin_list)
    db.session.flush()
    return checkin_list


def delete_checkin_list(*, checkin_list: CheckInList) -> None:
    """Delete a list nobody has been checked in on yet (a used list is a record of who came). Flushes."""
    if list_entry_count(checkin_list):
        raise CheckInListError(str(_l("People have been checked in on this list: it cannot be deleted.")))
    db.session.delete(checkin_list)
    db.session.flush()


def enter_list(
    *, checkin_list: CheckInList, registration: Registration, user: User | None, door: str, now: datetime
) -> bool:
    """Record ``registration`` on ``checkin_list``; False if they were on it already (or a door won)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(CheckInListEntry.__table__)
        .values(
            checkin_list_id=checkin_list.id,
            registration_id=registration.id,
            checked_in_at=now,
            checked_in_by_id=user.id if user else None,
            door=door,
        )
        .on_conflict_do_nothing(index_elements=["checkin_list_id", "registration_id"])
        .returning(CheckInListEntry.__table__.c.id)  # a row back means this call inserted it
    )
    return db.session.execute(statement).first() is not None


def list_entry(checkin_list: CheckInList, registration: Registration) -> CheckInListEntry | None:
    return db.session.scalars(
        select(CheckInListEntry).where(
            CheckInListEntry.checkin_list_id == checkin_list.id,
            CheckInListEntry.registration_id == registration.id,
        )
    ).first()


def leave_list(*, checkin_list: CheckInList, registration: Registration) -> bool:
    """Undo an entry on a list (a mistaken scan); False if there was none (or another undo won). Flushes.

    If that entry was the person's first arrival, the first arrival becomes their next earliest
    entry on another list, or none: a mistaken scan must not count as having attended.
    """
    table = CheckInListEntry.__table__
    deleted = db.session.execute(
        delete(table)
        .where(table.c.checkin_list_id == checkin_list.id, table.c.registration_id == registration.id)
        .returning(table.c.id, table.c.checked_in_at)  # of two undos at once, only one gets the row
    ).first()
    if deleted is None:
        return False
    entry_id, entered_at = deleted
    stale = db.session.identity_map.get(db.session.identity_key(CheckInListEntry, entry_id))
    if stale is not None:
        db.session.expunge(stale)  # the DELETE bypassed the ORM
    db.session.refresh(registration)  # as it is now, after any undo this one waited for
    if registration.checked_in_at is not None and registration.checked_in_at >= entered_at:
        earliest = db.session.scalars(
            select(CheckInListEntry)
            .where(CheckInListEntry.registration_id == registration.id)
            .order_by(CheckInListEntry.checked_in_at, CheckInListEntry.id)
            .limit(1)
        ).first()
        registration.checked_in_at = earliest.checked_in_at if earliest else None
        registration.checked_in_by_id = earliest.checked_in_by_id if earliest else None
        db.session.flush()
    return True


def list_entry_count(checkin_list: CheckInList) -> int:
    entries = select(func.count(CheckInListEntry.id)).where(
        CheckInListEntry.checkin_list_id == checkin_list.id
    )
    return int(db.session.scalar(entries) or 0)


def list_arrival_counts(checkin_list: CheckInList) -> tuple[int, int]:
    """(arrived, expected) on one list (see ``arrival_counts_by_list``)."""
    return arrival_counts_by_list(checkin_list.event_id)[checkin_list.id]


def arrival_counts_by_list(event_id: int) -> dict[int, tuple[int, int]]:
    """(arrived, expected) on each of the event's lists, by list id, in one query: arrived are the
    confirmed registrations on the list, expected every confirmed one (a list expects everybody)."""
    confirmed = (Registration.event_id == event_id) & (Registration.status == RegistrationStatus.CONFIRMED)
    expected = select(func.count(Registration.id)).where(confirmed).scalar_subquery()
    rows = db.session.execute(
        select(CheckInList.id, func.count(Registration.id), expected)
        .outerjoin(CheckInListEntry, CheckInListEntry.checkin_list_id == CheckInList.id)
        .outerjoin(Registration, (Registration.id == CheckInListEntry.registration_id) & confirmed)
        .where(CheckInList.event_id == event_id)
        .group_by(CheckInList.id)
    )
    return {list_id: (int(arrived), int(everyone or 0)) for list_id, arrived, everyone in rows}


def on_list_ids(checkin_list: CheckInList, registration_ids: list[int]) -> set[int]:
    """Which of ``registration_ids`` are on ``checkin_list`` (for the name search's "checked in")."""
    if not registration_ids:
        return set()
    return set(
        db.session.scalars(
            select(CheckInListEntry.registration_id).where(
                CheckInListEntry.checkin_list_id == checkin_list.id,
                CheckInListEntry.registration_id.in_(registration_ids),
            )
        )
    )
