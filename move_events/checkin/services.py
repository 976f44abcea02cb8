"""Check-in rules: what a scan at the door means, the scan log, undo, name search and live counts.

Every scan — failed ones too — writes one ``CheckIn`` row. A scan carries a client nonce; a retried
request with the same nonce is the same scan: it returns the original outcome and writes nothing.

Two doors scanning one badge at the same moment must give one WELCOME and one ALREADY_CHECKED_IN.
The check-in itself is one conditional UPDATE (``... WHERE checked_in_at IS NULL``) whose rowcount
says who won. That needs no extra lock on either engine: PostgreSQL makes the second UPDATE wait for
the first transaction's row lock and then re-checks the WHERE clause against the committed row
(rowcount 0); SQLite serialises writers on the whole database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from move_events.auth.models import User
from move_events.badges.tokens import BadgeTokenInvalid, verify_badge_token
from move_events.checkin.models import CheckIn, ScanResult
from move_events.db_types import utcnow
from move_events.directory.models import Organisation, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.services import (
    ParticipantDetails,
    register_person,
)

RAW_TOKEN_LENGTH = CheckIn.__table__.c.raw_token.type.length
DOOR_LENGTH = CheckIn.__table__.c.door.type.length
SEARCH_LIMIT = 20


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
) -> ScanOutcome:
    """Check in the holder of a badge token at ``event``, and log the scan. Flushes.

    If the same nonce was seen before, nothing is written and the original outcome comes back. On the
    rare race of two requests with one nonce at once, the loser's unique-constraint error rolls back
    the session (SQLite has no reliable savepoints under pysqlite), so call this first in a request.
    """
    original = _replay(nonce)
    if original is not None:
        return original
    try:
        registration = verify_badge_token(token)
    except BadgeTokenInvalid as error:
        outcome = ScanOutcome(result=ScanResult.INVALID, reason=str(error))
    else:
        outcome = _admit(event=event, registration=registration, user=user, now=now)
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
) -> ScanOutcome:
    """Check in a person found by name search: the same rules and log as a scan, without a token."""
    original = _replay(nonce)
    if original is not None:
        return original
    outcome = _admit(event=event, registration=registration, user=user, now=now)
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
        event=event, registration=registration, user=user, nonce=nonce, door=door, device=device, now=now
    )


def undo_check_in(*, registration: Registration, user: User | None, door: str = "") -> CheckIn:
    """Undo a mistaken check-in: the person counts as not arrived again. Logs an UNDONE row. Flushes."""
    if registration.checked_in_at is None:
        raise CheckInError(str(_l("This person is not checked in.")))
    registration.checked_in_at = None
    registration.checked_in_by_id = None
    entry = CheckIn(
        event_id=registration.event_id,
        registration_id=registration.id,
        result=ScanResult.UNDONE,
        scanned_by_id=user.id if user else None,
        door=door[:DOOR_LENGTH],
    )
    db.session.add(entry)
    db.session.flush()
    return entry


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


def _admit(
    *, event: Event, registration: Registration, user: User | None, now: datetime | None
) -> ScanOutcome:
    if registration.event_id != event.id:
        return ScanOutcome(
            result=ScanResult.WRONG_EVENT, reason=registration.event.title, registration=registration
        )
    if registration.status is not RegistrationStatus.CONFIRMED:
        return ScanOutcome(
            result=ScanResult.NOT_CONFIRMED, reason=registration.status.value, registration=registration
        )
    now = now or utcnow()
    won = db.session.execute(
        update(Registration.__table__)
        .where(
            Registration.__table__.c.id == registration.id, Registration.__table__.c.checked_in_at.is_(None)
        )
        .values(checked_in_at=now, checked_in_by_id=user.id if user else None)
    ).rowcount
    db.session.refresh(registration)  # the UPDATE bypassed the ORM; another door may have won
    if won:
        return ScanOutcome(
            result=ScanResult.WELCOME,
            registration=registration,
            checked_in_at=registration.checked_in_at,
            checked_in_by=_user_name(user),
        )
    return _already(registration)


def _already(registration: Registration) -> ScanOutcome:
    """ALREADY_CHECKED_IN, with the time, user and door of the scan that checked the person in."""
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
    """The WELCOME row of the current check-in: the latest one (an undo may have come before it)."""
    return db.session.scalars(
        select(CheckIn)
        .where(CheckIn.registration_id == registration.id, CheckIn.result == ScanResult.WELCOME)
        .order_by(CheckIn.scanned_at.desc(), CheckIn.id.desc())
        .limit(1)
    ).first()


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
        registration_id=outcome.registration.id if outcome.registration else None,
        raw_token=token[:RAW_TOKEN_LENGTH],
        scanned_at=outcome.checked_in_at if outcome.ok else utcnow(),
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
        original = _replay(nonce)
        if original is None:
            raise
        return original
    if outcome.ok:
        outcome.door = door
    return outcome


def _replay(nonce: str | None) -> ScanOutcome | None:
    """The outcome of the scan already logged under ``nonce``, if any."""
    if not nonce:
        return None
    entry = db.session.scalars(select(CheckIn).where(CheckIn.nonce == nonce)).first()
    if entry is None:
        return None
    registration = entry.registration
    if entry.result is ScanResult.ALREADY_CHECKED_IN and registration is not None:
        outcome = _already(registration)
    else:
        outcome = ScanOutcome(result=entry.result, reason=entry.reason, registration=registration)
        if entry.result is ScanResult.WELCOME:
            outcome.checked_in_at = entry.scanned_at
            outcome.checked_in_by = _user_name(db.session.get(User, entry.scanned_by_id))
            outcome.door = entry.door
    outcome.replayed = True
    return outcome


def _user_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.name or user.email
