"""Check-in rules: what a scan at the door means, the scan log, undo, name search and live counts.

Every scan — failed ones too — writes one ``CheckIn`` row. A scan carries a client nonce; a retried
request with the same nonce at the same event is the same scan: it returns the original outcome and
writes nothing.

Two doors scanning one badge at the same moment must give one WELCOME and one ALREADY_CHECKED_IN.
The check-in itself is one conditional UPDATE (``... WHERE checked_in_at IS NULL AND status =
'confirmed'``) whose rowcount says who won. PostgreSQL makes the second UPDATE wait for the first
transaction's row lock and then re-checks the WHERE clause against the committed row (rowcount 0);
SQLite serialises writers on the whole database.

A scan racing a cancellation must not welcome a just-cancelled registration. Status changes lock the
event row FOR UPDATE first (``registration.services._lock_registration``), so a scan first takes a
FOR KEY SHARE lock on the event (the lock its scan-log insert takes anyway: taken first, a scan and a
cancellation cannot deadlock), then reads the registration's status again: it sees what a
cancellation it waited for left. Doors do not wait for each other (key-share locks do not conflict).
An undo is one conditional UPDATE (or DELETE of the list entry) too: of two undos at once, one wins.

An exit scan (direction EXIT) admits nobody: it logs LEFT for a confirmed registration of the event,
and ``queries.inside_count`` counts who is inside from the latest entry or exit of each person.

On a check-in list (a day or a room, see ``lists``) the welcome is the list entry instead: once per
list, decided by the unique (list, registration) pair; the registration's ``checked_in_at`` is still
set only on the first arrival at the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from move_events.auth.models import User
from move_events.badges.tokens import BadgeTokenInvalid, verify_badge_token
from move_events.checkin.lists import enter_list, leave_list, list_entry
from move_events.checkin.models import CheckIn, CheckInList, ScanDirection, ScanResult
from move_events.checkin.queries import is_out
from move_events.db_types import utcnow
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.services import (
    ParticipantDetails,
    register_person,
)

RAW_TOKEN_LENGTH = CheckIn.__table__.c.raw_token.type.length
DOOR_LENGTH = CheckIn.__table__.c.door.type.length


class CheckInError(Exception):
    """A check-in rule was broken; the message is shown to the user."""


@dataclass(kw_only=True)
class ScanOutcome:
    """What the door shows after a scan.

    For ALREADY_CHECKED_IN, ``checked_in_at``, ``checked_in_by`` and ``door`` describe the scan that
    checked the person in, not this one.
    """

    result: ScanResult
    reason: str = ""
    registration: Registration | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str = ""
    door: str = ""
    checkin_list: CheckInList | None = None
    direction: ScanDirection = ScanDirection.ENTRY
    back: bool = False  # ALREADY_CHECKED_IN of someone whose last scan was an exit: a re-entry
    replayed: bool = False  # a retried request: the original outcome, nothing written

    @property
    def ok(self) -> bool:
        return self.result is ScanResult.WELCOME

    @property
    def name(self) -> str:
        return self.registration.person.full_name if self.registration else ""

    @property
    def organisation(self) -> str:
        if self.registration is None or self.registration.person.organisation is None:
            return ""
        return self.registration.person.organisation.name


def check_in_by_token(
    *,
    event: Event,
    token: str,
    user: User | None,
    nonce: str | None,
    door: str = "",
    device: str = "",
    now: datetime | None = None,
    checkin_list: CheckInList | None = None,
    direction: ScanDirection = ScanDirection.ENTRY,
) -> ScanOutcome:
    """Check in the holder of a badge token at ``event`` (or, for an exit, see them out), and log the
    scan. Flushes.

    If the same nonce was seen before, nothing is written and the original outcome comes back. On the
    rare race of two requests with one nonce at once, the loser's unique-constraint error rolls back
    the session (SQLite has no reliable savepoints under pysqlite), so call this first in a request.
    """
    original = _replay(event, nonce)
    if original is not None:
        return original
    try:
        registration = verify_badge_token(token)
    except BadgeTokenInvalid as error:
        outcome = ScanOutcome(result=ScanResult.INVALID, reason=str(error))
    else:
        if direction is ScanDirection.EXIT:
            outcome = _see_out(event=event, registration=registration, now=now)
        else:
            outcome = _admit(
                event=event,
                registration=registration,
                user=user,
                now=now,
                door=door,
                checkin_list=checkin_list,
            )
            outcome.back = outcome.result is ScanResult.ALREADY_CHECKED_IN and is_out(registration)
    outcome.checkin_list = checkin_list
    outcome.direction = direction
    return _log(event=event, outcome=outcome, token=token, user=user, nonce=nonce, door=door, device=device)


def check_in_registration(
    *,
    event: Event,
    registration: Registration,
    user: User | None,
    nonce: str | None,
    door: str = "",
    device: str = "",
    now: datetime | None = None,
    checkin_list: CheckInList | None = None,
) -> ScanOutcome:
    """Check in a person found by name search: the same rules and log as a scan, without a token."""
    original = _replay(event, nonce)
    if original is not None:
        return original
    outcome = _admit(
        event=event, registration=registration, user=user, now=now, door=door, checkin_list=checkin_list
    )
    outcome.checkin_list = checkin_list
    return _log(event=event, outcome=outcome, token="", user=user, nonce=nonce, door=door, device=device)


def admit_walk_in(
    *,
    event: Event,
    details: ParticipantDetails,
    user: User | None,
    nonce: str | None,
    door: str = "",
    device: str = "",
    now: datetime | None = None,
    checkin_list: CheckInList | None = None,
) -> ScanOutcome:
    """Register someone who turns up without a registration, and check them in. Flushes.

    Door staff admitting someone means they are in: the registration goes through
    ``register_person(by_organiser=True, admitted=True)`` (no registration window, no approval) and
    is confirmed even when the event is full. Raises what ``register_person`` raises, above all
    ``AlreadyRegistered`` (the door then offers the normal check-in).
    """
    now = now or utcnow()
    registration = register_person(event=event, details=details, by_organiser=True, admitted=True, now=now)
    return check_in_registration(
        event=event,
        registration=registration,
        user=user,
        nonce=nonce,
        door=door,
        device=device,
        now=now,
        checkin_list=checkin_list,
    )


def undo_check_in(
    *, registration: Registration, user: User | None, door: str = "", checkin_list: CheckInList | None = None
) -> CheckIn:
    """Undo a mistaken check-in: the person counts as not arrived again. Logs an UNDONE row. Flushes.

    On a list, only that list's entry goes (see ``leave_list`` for the first arrival).
    """
    _hold_event(registration.event_id)
    if checkin_list is not None:
        if not leave_list(checkin_list=checkin_list, registration=registration):
            raise CheckInError(str(_l("This person is not checked in on this list.")))
    elif not _undo_first_arrival(registration):
        raise CheckInError(str(_l("This person is not checked in.")))
    entry = CheckIn(
        event_id=registration.event_id,
        checkin_list_id=checkin_list.id if checkin_list else None,
        registration_id=registration.id,
        result=ScanResult.UNDONE,
        scanned_by_id=user.id if user else None,
        door=door[:DOOR_LENGTH],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _admit(
    *,
    event: Event,
    registration: Registration,
    user: User | None,
    now: datetime | None,
    door: str = "",
    checkin_list: CheckInList | None = None,
) -> ScanOutcome:
    if registration.event_id != event.id:
        return ScanOutcome(
            result=ScanResult.WRONG_EVENT, reason=registration.event.title, registration=registration
        )
    _hold_event(event.id)
    db.session.refresh(registration)  # a cancellation this scan waited for has changed it
    if registration.status is not RegistrationStatus.CONFIRMED:
        return _not_confirmed(registration)
    now = now or utcnow()
    if checkin_list is not None:
        return _admit_on_list(
            checkin_list=checkin_list, registration=registration, user=user, now=now, door=door
        )
    won = _first_arrival(registration=registration, user=user, now=now)
    if won:
        return ScanOutcome(
            result=ScanResult.WELCOME,
            registration=registration,
            checked_in_at=registration.checked_in_at,
            checked_in_by=_user_name(user),
        )
    if registration.status is not RegistrationStatus.CONFIRMED:
        return _not_confirmed(registration)  # changed without the event lock: the refreshed row says
    return _already(registration)


def _not_confirmed(registration: Registration) -> ScanOutcome:
    return ScanOutcome(
        result=ScanResult.NOT_CONFIRMED, reason=registration.status.value, registration=registration
    )


def _hold_event(event_id: int) -> None:
    """Lock the event row FOR KEY SHARE (nothing on SQLite) until the transaction ends: a status change
    (which locks it FOR UPDATE) waits for this scan, or this scan for it; other scans do not wait."""
    db.session.execute(
        select(Event.id).where(Event.id == event_id).with_for_update(read=True, key_share=True)
    )


def _see_out(*, event: Event, registration: Registration, now: datetime | None) -> ScanOutcome:
    """An exit: refused like an entry for another event or an unconfirmed registration, else LEFT."""
    if registration.event_id != event.id:
        return ScanOutcome(
            result=ScanResult.WRONG_EVENT, reason=registration.event.title, registration=registration
        )
    if registration.status is not RegistrationStatus.CONFIRMED:
        return _not_confirmed(registration)
    return ScanOutcome(result=ScanResult.LEFT, registration=registration, checked_in_at=now or utcnow())


def _first_arrival(*, registration: Registration, user: User | None, now: datetime) -> bool:
    """Set the registration's check-in if nobody has yet and it is still confirmed; True if this call
    did."""
    table = Registration.__table__
    won = db.session.execute(
        update(table)
        .where(
            table.c.id == registration.id,
            table.c.checked_in_at.is_(None),
            table.c.status == RegistrationStatus.CONFIRMED,
        )
        .values(checked_in_at=now, checked_in_by_id=user.id if user else None)
    ).rowcount
    db.session.refresh(registration)  # the UPDATE bypassed the ORM; another door may have won
    return bool(won)


def _undo_first_arrival(registration: Registration) -> bool:
    """Clear the registration's check-in if it has one; True if this call did (of two undos, one)."""
    table = Registration.__table__
    undone = db.session.execute(
        update(table)
        .where(table.c.id == registration.id, table.c.checked_in_at.is_not(None))
        .values(checked_in_at=None, checked_in_by_id=None)
    ).rowcount
    db.session.refresh(registration)
    return bool(undone)


def _admit_on_list(
    *, checkin_list: CheckInList, registration: Registration, user: User | None, now: datetime, door: str
) -> ScanOutcome:
    """Welcome once per list; the event's first arrival is set too if this is it."""
    door = door.strip()[:DOOR_LENGTH]
    won = enter_list(checkin_list=checkin_list, registration=registration, user=user, door=door, now=now)
    _first_arrival(registration=registration, user=user, now=now)
    if won:
        return ScanOutcome(
            result=ScanResult.WELCOME,
            registration=registration,
            checked_in_at=now,
            checked_in_by=_user_name(user),
        )
    return _already(registration, checkin_list)


def _already(registration: Registration, checkin_list: CheckInList | None = None) -> ScanOutcome:
    """ALREADY_CHECKED_IN, with the time, user and door of the scan that checked the person in."""
    if checkin_list is not None:
        entry = list_entry(checkin_list, registration)
        if entry is not None:
            return ScanOutcome(
                result=ScanResult.ALREADY_CHECKED_IN,
                registration=registration,
                checked_in_at=entry.checked_in_at,
                checked_in_by=_user_name(entry.checked_in_by),
                door=entry.door,
                checkin_list=checkin_list,
            )
    first = _admitting_scan(registration)
    by = registration.checked_in_by
    return ScanOutcome(
        result=ScanResult.ALREADY_CHECKED_IN,
        registration=registration,
        checked_in_at=registration.checked_in_at,
        checked_in_by=_user_name(by),
        door=first.door if first else "",
    )


def _admitting_scan(registration: Registration) -> CheckIn | None:
    """The WELCOME row of the current check-in: the one at the first-arrival time (later welcomes on
    other days' lists are not it), else the latest one (an undo may have come before it)."""
    welcomes = (
        select(CheckIn)
        .where(CheckIn.registration_id == registration.id, CheckIn.result == ScanResult.WELCOME)
        .order_by(CheckIn.scanned_at.desc(), CheckIn.id.desc())
        .limit(1)
    )
    if registration.checked_in_at is not None:
        first = db.session.scalars(welcomes.where(CheckIn.scanned_at == registration.checked_in_at)).first()
        if first is not None:
            return first
    return db.session.scalars(welcomes).first()


def _log(
    *,
    event: Event,
    outcome: ScanOutcome,
    token: str,
    user: User | None,
    nonce: str | None,
    door: str,
    device: str,
) -> ScanOutcome:
    door = door.strip()[:DOOR_LENGTH]
    entry = CheckIn(
        event_id=event.id,
        checkin_list_id=outcome.checkin_list.id if outcome.checkin_list else None,
        registration_id=outcome.registration.id if outcome.registration else None,
        raw_token=token[:RAW_TOKEN_LENGTH],
        scanned_at=outcome.checked_in_at if outcome.checked_in_at and outcome.result in _TIMED else utcnow(),
        direction=outcome.direction,
        scanned_by_id=user.id if user else None,
        device=device[: CheckIn.__table__.c.device.type.length],
        door=door,
        result=outcome.result,
        reason=outcome.reason[: CheckIn.__table__.c.reason.type.length],
        nonce=nonce or None,
    )
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request with this nonce got in first (a retry racing the original): it is the scan.
        db.session.rollback()
        original = _replay(event, nonce)
        if original is None:
            raise
        return original
    if outcome.ok:
        outcome.door = door
    return outcome


_TIMED = (ScanResult.WELCOME, ScanResult.LEFT)  # results whose scan time is the outcome's own time


def _replay(event: Event, nonce: str | None) -> ScanOutcome | None:
    """The outcome of the scan already logged at ``event`` under ``nonce``, if any. Nonces are the
    client's and unique per event only: another event's scan with the same nonce is not this one."""
    if not nonce:
        return None
    entry = db.session.scalars(
        select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.nonce == nonce)
    ).first()
    if entry is None:
        return None
    registration = entry.registration
    if entry.result is ScanResult.ALREADY_CHECKED_IN and registration is not None:
        outcome = _already(registration, entry.checkin_list)
    else:
        outcome = ScanOutcome(result=entry.result, reason=entry.reason, registration=registration)
        if entry.result in _TIMED:
            outcome.checked_in_at = entry.scanned_at
            outcome.checked_in_by = _user_name(db.session.get(User, entry.scanned_by_id))
            outcome.door = entry.door
    outcome.checkin_list = entry.checkin_list
    outcome.direction = entry.direction
    outcome.replayed = True
    return outcome


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.name or user.email
