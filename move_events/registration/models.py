from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.auth.models import User
    from move_events.directory.models import Person
    from move_events.events.models import Event


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the organiser's approval
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    DECLINED = "declined"

    @classmethod
    def live(cls) -> tuple[RegistrationStatus, ...]:
        """Statuses that hold (or wait for) a place: a person may have only one such per event."""
        return (cls.PENDING, cls.CONFIRMED, cls.WAITLISTED)


class RegistrationRole(enum.StrEnum):
    PARTICIPANT = "participant"
    SPEAKER = "speaker"
    ORGANISER = "organiser"
    STAFF = "staff"
    PRESS = "press"


_LIVE_SQL = "status IN ('pending', 'confirmed', 'waitlisted')"


def new_badge_secret() -> str:
    return secrets.token_urlsafe(12)


class Registration(db.Model):
    """A person's place at an event, with their business profile for meetings."""

    __tablename__ = "registrations"
    __table_args__ = (
        # One live registration per person and event, enforced by the database itself.
        Index(
            "uq_registrations_live_person",
            "event_id",
            "person_id",
            unique=True,
            sqlite_where=text(_LIVE_SQL),
            postgresql_where=text(_LIVE_SQL),
        ),
        Index("ix_registrations_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "registration_status"))
    role: Mapped[RegistrationRole] = mapped_column(
        str_enum(RegistrationRole, "registration_role"), default=RegistrationRole.PARTICIPANT
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Badge: the QR token is derived from this secret and the server's key; a new secret revokes it.
    badge_secret: Mapped[str] = mapped_column(String(32), default=new_badge_secret)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attended: Mapped[bool] = mapped_column(default=False)  # online events: marked by organisers

    # Business profile for events with meetings.
    offers: Mapped[str] = mapped_column(Text, default="")
    requests: Mapped[str] = mapped_column(Text, default="")
    profile_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_markets: Mapped[list[str]] = mapped_column(JSON, default=list)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    checked_in_by: Mapped[User | None] = relationship()

    @property
    def is_live(self) -> bool:
        return self.status in RegistrationStatus.live()

    def __repr__(self) -> str:
        return f"<Registration {self.id} event={self.event_id} person={self.person_id} {self.status}>"
