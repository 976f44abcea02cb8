from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.auth.models import User
    from move_events.directory.models import Organisation


class EventCategory(enum.StrEnum):
    PREPARATORY = "preparatory"
    C2C = "c2c"
    B2B = "b2b"


class EventSubtype(enum.StrEnum):
    WORKSHOP = "workshop"
    SEMINAR = "seminar"
    INFO_DAY = "info_day"
    TRAINING = "training"
    STUDY_VISIT = "study_visit"
    CONFERENCE = "conference"
    CLUSTER_MEETING = "cluster_meeting"
    BROKERAGE = "brokerage"
    OTHER = "other"


class EventFormat(enum.StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"
    HYBRID = "hybrid"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Event(db.Model):
    """An event of the partnership. Times are stored in UTC and shown in the event's time zone."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window",
        ),
        CheckConstraint("slot_minutes IS NULL OR slot_minutes > 0", name="slot_positive"),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
        CheckConstraint("tables IS NULL OR tables >= 1", name="tables_positive"),
        CheckConstraint("meeting_cap IS NULL OR meeting_cap >= 1", name="meeting_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[EventCategory] = mapped_column(str_enum(EventCategory, "event_category"))
    subtype: Mapped[EventSubtype] = mapped_column(str_enum(EventSubtype, "event_subtype"))
    target_country: Mapped[str | None] = mapped_column(String(2), index=True)
    format: Mapped[EventFormat] = mapped_column(str_enum(EventFormat, "event_format"))
    venue: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_required: Mapped[bool] = mapped_column(default=False)
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True
    )
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )  # the partner cluster that runs it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Meetings (B2B brokerage and C2C): slot length, break between slots, tables, cap per participant.
    has_meetings: Mapped[bool] = mapped_column(default=False)
    slot_minutes: Mapped[int | None]
    break_minutes: Mapped[int] = mapped_column(default=0)
    tables: Mapped[int | None]
    meeting_cap: Mapped[int | None]

    organiser: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    sessions: Mapped[list[MeetingSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="MeetingSession.starts_at"
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class MeetingSession(db.Model):
    """A block of time in which an event's one-to-one meetings take place, cut into slots."""

    __tablename__ = "meeting_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("tables IS NULL OR tables >= 1", name="tables_positive"),
        CheckConstraint("meeting_cap IS NULL OR meeting_cap >= 1", name="meeting_cap_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tables: Mapped[int | None]  # None: the event's number of tables
    meeting_cap: Mapped[int | None]  # most meetings per participant in this session; None: no cap of its own

    event: Mapped[Event] = relationship(back_populates="sessions")
