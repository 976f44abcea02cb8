"""Event rules: creating, changing, publishing and cancelling events, and who may do it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from move_events.auth.models import Role, User
from move_events.db_types import utcnow
from move_events.directory.models import Organisation
from move_events.events.models import (
    Event,
    EventCategory,
    EventFormat,
    EventStatus,
    EventSubtype,
    MeetingSession,
)
from move_events.extensions import db


class EventError(Exception):
    """A rule of events was broken; the message is shown to the user."""


class EventNotEditable(EventError):
    pass


class SessionDetails(NamedTuple):
    """One meeting session as an organiser sets it (times timezone-aware)."""

    starts_at: datetime
    ends_at: datetime
    tables: int | None = None  # None: the event's number of tables
    meeting_cap: int | None = None  # most meetings per participant in this session; None: no cap


@dataclass(kw_only=True)
class EventDetails:
    """Everything an organiser sets on an event; times are timezone-aware."""

    title: str
    category: EventCategory
    subtype: EventSubtype
    format: EventFormat
    starts_at: datetime
    ends_at: datetime
    timezone: str = "UTC"
    description: str = ""
    target_country: str | None = None
    venue: str = ""
    city: str = ""
    country: str | None = None
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    approval_required: bool = False
    waitlist_enabled: bool = True
    organiser: Organisation | None = None
    has_meetings: bool = False
    slot_minutes: int | None = None
    break_minutes: int = 0
    tables: int | None = None
    meeting_cap: int | None = None
    sessions: list[SessionDetails] = field(default_factory=list)  # plain (start, end) pairs are taken too

    def __post_init__(self) -> None:
        self.sessions = [SessionDetails(*session) for session in self.sessions]

    def problems(self) -> dict[str, object]:
        """Rules that span fields, keyed by the field to show them at. Empty when all is well."""
        found: dict[str, object] = {}
        if self.ends_at <= self.starts_at:
            found["ends_at"] = _l("The event must end after it starts.")
        if self.capacity is not None and self.capacity < 1:
            found["capacity"] = _l("Capacity must be at least 1 (leave it empty for no limit).")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            found["registration_closes_at"] = _l("Registration must close after it opens.")
        if closes and closes > self.ends_at:
            found["registration_closes_at"] = _l("Registration cannot close after the event ends.")
        if self.has_meetings:
            if not self.slot_minutes or self.slot_minutes < 5:
                found["slot_minutes"] = _l("Meetings need a slot length of at least 5 minutes.")
            if not self.tables or self.tables < 1:
                found["tables"] = _l("Meetings need at least one table.")
            if not self.sessions:
                found["sessions"] = _l("Meetings need at least one session.")
            for session in self.sessions:
                if session.ends_at <= session.starts_at:
                    found["sessions"] = _l("Each session must end after it starts.")
                elif session.starts_at < self.starts_at or session.ends_at > self.ends_at:
                    found["sessions"] = _l("Sessions must lie within the event's start and end.")
                elif (session.tables is not None and session.tables < 1) or (
                    session.meeting_cap is not None and session.meeting_cap < 1
                ):
                    found["sessions"] = _l("A session's tables and cap must be at least 1 (or empty).")
        return found


def slugify(text: str) -> str:
    """A URL-safe ASCII slug; titles in other scripts fall back to 'event'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "event"


def _unique_slug(title: str, starts_at: datetime) -> str:
    base = f"{slugify(title)}-{starts_at:%Y}"
    slug, n = base, 2
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply(event: Event, details: EventDetails) -> None:
    problems = details.problems()
    if problems:
        raise EventError(str(next(iter(problems.values()))))
    for name in (
        "title", "category", "subtype", "format", "starts_at", "ends_at", "timezone",
        "description", "target_country", "venue", "city", "country", "capacity",
        "registration_opens_at", "registration_closes_at", "approval_required",
        "waitlist_enabled", "organiser", "has_meetings", "slot_minutes", "break_minutes",
        "tables", "meeting_cap",
    ):  # fmt: skip
        setattr(event, name, getattr(details, name))
    wanted = sorted(details.sessions, key=lambda s: (s.starts_at, s.ends_at)) if details.has_meetings else []
    if [SessionDetails(s.starts_at, s.ends_at, s.tables, s.meeting_cap) for s in event.sessions] != wanted:
        event.sessions = [MeetingSession(**session._asdict()) for session in wanted]


def create_event(*, details: EventDetails, created_by: User | None) -> Event:
    """A new draft event. Organisers without a partner cluster of their own pick one or none."""
    event = Event(slug=_unique_slug(details.title, details.starts_at), created_by=created_by)
    _apply(event, details)
    if event.organiser is None and created_by is not None:
        event.organiser = created_by.partner_cluster
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, *, details: EventDetails) -> Event:
    """Change an event. A cancelled event stays as it was: it is a record of what happened."""
    _lock_event(event)
    if event.status == EventStatus.CANCELLED:
        raise EventNotEditable(str(_l("A cancelled event cannot be changed.")))
    _apply(event, details)
    db.session.flush()
    return event


def _lock_event(event: Event) -> None:
    """Lock the event's row and read it again: another organiser may have cancelled it while this
    request waited (PostgreSQL; SQLite serialises writers anyway)."""
    db.session.refresh(event, with_for_update=True)


def publish_event(event: Event) -> Event:
    """Put a draft on the public list. Decided under the event's lock: a cancellation committed
    meanwhile is not undone by a publish that read the event before it."""
    _lock_event(event)
    if event.status == EventStatus.CANCELLED:
        raise EventNotEditable(str(_l("A cancelled event cannot be published again.")))
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    return event


def cancel_event(event: Event) -> Event:
    """Cancel the event; it stays visible as cancelled and counts nowhere in the KPI report."""
    _lock_event(event)
    event.status = EventStatus.CANCELLED
    db.session.flush()
    return event


def can_manage(user: User, event: Event) -> bool:
    """Admins manage every event; organisers those they created or their partner cluster runs."""
    if not user.is_authenticated or not user.has_role(Role.ORGANISER):
        return False
    if user.role == Role.ADMIN or event.created_by_id == user.id:
        return True
    return user.partner_cluster_id is not None and event.organiser_id == user.partner_cluster_id


def registration_is_open(event: Event, now: datetime | None = None) -> bool:
    """Published, not over, and inside the registration window (if one is set)."""
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED or now >= event.ends_at:
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    return not (event.registration_closes_at and now >= event.registration_closes_at)


def public_events(
    *, upcoming: bool, category: EventCategory | None = None, target_country: str | None = None
) -> Select:
    """Published (and cancelled, shown as such) events; upcoming ones soonest first, past newest."""
    now = utcnow()
    query = select(Event).where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
    if upcoming:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at)
    else:
        query = query.where(Event.ends_at < now).order_by(Event.starts_at.desc())
    if category:
        query = query.where(Event.category == category)
    if target_country:
        query = query.where(Event.target_country == target_country)
    return query


def managed_events(*, user: User, status: EventStatus | None = None, query_text: str = "") -> Select:
    """All events for admins and organisers (read access is shared within the partnership)."""
    query = select(Event).order_by(Event.starts_at.desc())
    if status:
        query = query.where(Event.status == status)
    if term := query_text.strip():  # the user's % and _ are literal characters, not LIKE wildcards
        query = query.where(
            or_(Event.title.icontains(term, autoescape=True), Event.city.icontains(term, autoescape=True))
        )
    return query
