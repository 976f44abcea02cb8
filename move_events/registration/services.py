"""Registration rules: seats, the waiting list, approval, cancellation, and the e-mails they send.

Capacity decisions lock the event's row (SELECT ... FOR UPDATE on PostgreSQL) so that two people
registering at the same moment cannot both take the last seat; the partial unique index on
registrations forbids two live registrations of one person for one event even then. Every change of a
registration's status takes that lock first and only then reads the status it decides on
(``_lock_registration``): a double click, or an organiser and the participant acting at once, must see
what the transaction before them left, not what was read before waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from move_events.db_types import normalise_email, utcnow
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.directory.services import (
    create_or_take_winner,
    create_person,
    find_or_create_organisation,
    find_person_by_email,
)
from move_events.events.models import Event, EventStatus
from move_events.events.services import registration_is_open
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationRole, RegistrationStatus
from move_events.registration.notifications import notify

S = RegistrationStatus


class RegistrationError(Exception):
    """A registration rule was broken; the message is shown to the user."""


class RegistrationClosed(RegistrationError):
    pass


class EventFull(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    def __init__(self, existing: Registration) -> None:
        super().__init__(str(_l("You are already registered for this event.")))
        self.existing = existing


class InvalidTransition(RegistrationError):
    pass


@dataclass(kw_only=True)
class NewOrganisation:
    name: str
    kind: OrganisationKind
    country: str
    city: str = ""
    sectors: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class ParticipantDetails:
    """What a person gives when they register (or an organiser types for them)."""

    given_name: str
    family_name: str
    email: str
    phone: str = ""
    job_title: str = ""
    preferred_language: str = "en"
    organisation: Organisation | NewOrganisation | None = None
    role: RegistrationRole = RegistrationRole.PARTICIPANT
    consent: bool = False
    offers: str = ""
    requests: str = ""
    sectors: list[str] = field(default_factory=list)
    target_markets: list[str] = field(default_factory=list)


_NOTICE_FOR = {S.CONFIRMED: "confirmed", S.WAITLISTED: "waitlisted", S.PENDING: "received"}


def _lock_event(event: Event) -> None:
    """Serialise capacity decisions for one event (a no-op on SQLite, which serialises writers)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _lock_registration(registration: Registration) -> None:
    """Lock the registration's event, then read the registration again (and lock its row): its status
    may have changed while this transaction waited for the lock."""
    _lock_event(registration.event)
    db.session.refresh(registration, with_for_update=True)


def count_by_status(event: Event) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(RegistrationStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def seats_left(event: Event) -> int | None:
    """Free seats, or None when the event has no capacity limit."""
    if event.capacity is None:
        return None
    taken = db.session.scalar(
        select(func.count()).where(Registration.event_id == event.id, Registration.status == S.CONFIRMED)
    )
    return max(event.capacity - taken, 0)


def live_registration(event: Event, person: Person) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.person_id == person.id,
            Registration.status.in_(S.live()),
        )
    )


def find_live_registration_by_email(event: Event, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .join(Person)
        .where(
            Registration.event_id == event.id,
            Person.email == normalise_email(email),
            Registration.status.in_(S.live()),
        )
    )


def organisation_names() -> list[str]:
    """Names offered while typing one's organisation on the public form."""
    return list(db.session.scalars(select(Organisation.name).distinct().order_by(Organisation.name)))


def _organisation(choice: Organisation | NewOrganisation | None) -> Organisation | None:
    if not isinstance(choice, NewOrganisation):
        return choice
    return find_or_create_organisation(
        name=choice.name, kind=choice.kind, country=choice.country, city=choice.city, sectors=choice.sectors
    )


def _person(details: ParticipantDetails) -> Person:
    """The person with this e-mail, or a new one. An existing person's record is completed, never
    overwritten: anyone can type anyone's e-mail into a public form.

    The same new person registering for two events at once holds two different event locks: whoever
    adds them second takes the first one's person (and organisation) instead of failing."""
    person = find_person_by_email(details.email)
    if person is None:
        person = create_or_take_winner(
            lambda: create_person(
                given_name=details.given_name,
                family_name=details.family_name,
                email=details.email,
                phone=details.phone,
                job_title=details.job_title,
                organisation=_organisation(details.organisation),
                preferred_language=details.preferred_language,
            ),
            lambda: find_person_by_email(details.email),
        )
    person.phone = person.phone or details.phone.strip()
    person.job_title = person.job_title or details.job_title.strip()
    if person.organisation is None:
        person.organisation = _organisation(details.organisation)
    return person


def _seat_status(event: Event) -> RegistrationStatus:
    left = seats_left(event)
    if left is None or left > 0:
        return S.CONFIRMED
    if event.waitlist_enabled:
        return S.WAITLISTED
    raise EventFull(str(_l("Sorry, the event is full.")))


def register_person(
    *,
    event: Event,
    details: ParticipantDetails,
    by_organiser: bool = False,
    admitted: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register a person: confirmed while seats remain, then on the waiting list; pending when the
    event asks for approval. Organisers may add people outside the registration window and without
    approval; ``admitted`` (door staff letting a walk-in in) confirms them even beyond capacity.
    Raises RegistrationClosed, EventFull or AlreadyRegistered."""
    now = now or utcnow()
    if not by_organiser and not details.consent:
        raise RegistrationError(str(_l("Please accept the privacy notice to register.")))
    # Lock the event, then decide on its row as it is now: an organiser may have cancelled it, closed
    # registration or changed its capacity while this request waited for the lock.
    db.session.refresh(event, with_for_update=True)
    if event.status == EventStatus.CANCELLED:
        raise RegistrationClosed(str(_l("This event has been cancelled.")))
    if not by_organiser and not registration_is_open(event, now):
        raise RegistrationClosed(str(_l("Registration for this event is not open.")))
    person = _person(details)
    existing = live_registration(event, person)
    if existing is not None:
        raise AlreadyRegistered(existing)
    if admitted:
        status = S.CONFIRMED
    elif event.approval_required and not by_organiser:
        status = S.PENDING
    else:
        status = _seat_status(event)
    registration = Registration(
        event=event,
        person=person,
        status=status,
        role=details.role,
        consent_at=now if details.consent else None,
        confirmed_at=now if status == S.CONFIRMED else None,
        offers=details.offers.strip(),
        requests=details.requests.strip(),
        profile_sectors=details.sectors,
        target_markets=details.target_markets,
    )
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:  # a simultaneous registration of the same person won the race
        # Rolled back whole (not to a savepoint: SQLite's driver handles those badly); the caller's
        # transaction held only this registration's work, as every view commits once.
        db.session.rollback()
        _raise_if_registered(event, details.email)
        raise
    notify(registration, _NOTICE_FOR[status])
    return registration


def _raise_if_registered(event: Event, email: str) -> None:
    person = db.session.scalar(select(Person).where(Person.email == normalise_email(email)))
    existing = live_registration(event, person) if person is not None else None
    if existing is not None:
        raise AlreadyRegistered(existing)


def update_profile(registration: Registration, *, details: ParticipantDetails) -> Registration:
    """A participant changes their own details. The e-mail (who they are) stays."""
    person = registration.person
    person.given_name = details.given_name.strip()
    person.family_name = details.family_name.strip()
    person.phone = details.phone.strip()
    person.job_title = details.job_title.strip()
    person.preferred_language = details.preferred_language
    registration.offers = details.offers.strip()
    registration.requests = details.requests.strip()
    registration.profile_sectors = details.sectors
    registration.target_markets = details.target_markets
    db.session.flush()
    return registration


def promote_from_waitlist(event: Event, *, now: datetime | None = None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served, and tell each person."""
    now = now or utcnow()
    _lock_event(event)
    promoted = []
    while (left := seats_left(event)) is None or left > 0:
        first = db.session.scalar(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == S.WAITLISTED)
            .order_by(Registration.created_at, Registration.id)
            .limit(1)
            .with_for_update()
            .execution_options(populate_existing=True)  # as it is now, not as this session last saw it
        )
        if first is None:
            break
        first.status, first.confirmed_at = S.CONFIRMED, now
        db.session.flush()
        notify(first, "promoted")
        promoted.append(first)
    return promoted


def cancel_registration(
    registration: Registration, *, by_organiser: bool = False, now: datetime | None = None
) -> list[Registration]:
    """Cancel; a freed seat goes to the first on the waiting list. Returns who was promoted.

    Decided under the lock: of several cancellations at once, only the one that changes the status
    sends the e-mail; the others raise InvalidTransition."""
    now = now or utcnow()
    _lock_registration(registration)
    if not registration.is_live:
        raise InvalidTransition(str(_l("This registration is already cancelled or declined.")))
    held_seat = registration.status == S.CONFIRMED
    registration.status, registration.cancelled_at = S.CANCELLED, now
    db.session.flush()
    notify(registration, "cancelled_by_organiser" if by_organiser else "cancelled")
    if held_seat and registration.event.ends_at > now:
        return promote_from_waitlist(registration.event, now=now)
    return []


def approve_registration(registration: Registration, *, now: datetime | None = None) -> Registration:
    """Approve a pending registration: confirmed if a seat is free, else waiting list. A second approval
    (a double click) finds it no longer pending and raises InvalidTransition."""
    _lock_registration(registration)
    if registration.status != S.PENDING:
        raise InvalidTransition(str(_l("Only pending registrations can be approved.")))
    registration.status = _seat_status(registration.event)
    if registration.status == S.CONFIRMED:
        registration.confirmed_at = now or utcnow()
    db.session.flush()
    notify(registration, "approved" if registration.status == S.CONFIRMED else "waitlisted")
    return registration


def decline_registration(registration: Registration) -> Registration:
    """Decline a pending or waiting registration; one promoted meanwhile (a seat freed) stays confirmed."""
    _lock_registration(registration)
    if registration.status not in (S.PENDING, S.WAITLISTED):
        raise InvalidTransition(str(_l("Only pending or waiting registrations can be declined.")))
    registration.status = S.DECLINED
    db.session.flush()
    notify(registration, "declined")
    return registration


def confirm_from_waitlist(registration: Registration, *, now: datetime | None = None) -> Registration:
    """An organiser's decision: confirm someone from the waiting list even if the event is full."""
    _lock_registration(registration)
    if registration.status != S.WAITLISTED:
        raise InvalidTransition(str(_l("Only registrations on the waiting list can be moved.")))
    registration.status, registration.confirmed_at = S.CONFIRMED, now or utcnow()
    db.session.flush()
    notify(registration, "promoted")
    return registration
