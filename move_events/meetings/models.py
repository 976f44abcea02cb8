from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.events.models import Event
    from move_events.registration.models import Registration


class MeetingStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # a request nobody answered in time
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class MeetingOutcome(enum.StrEnum):
    """How a side rated the meeting right after it."""

    DID_NOT_TAKE_PLACE = "did_not_take_place"
    INSUFFICIENT_INTEREST = "insufficient_interest"
    INFORMATIVE = "informative"  # informative, no cooperation planned
    COOPERATION_POSSIBLE = "cooperation_possible"


class MeetingFollowUp(enum.StrEnum):
    """What came of the meeting, months later."""

    NONE = "none"
    NEGOTIATION_STARTED = "negotiation_started"
    AGREEMENT_REACHED = "agreement_reached"


class Meeting(db.Model):
    """A one-to-one meeting between two registrations of one event."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("requester_id <> counterpart_id", name="two_sides"),
        CheckConstraint("table_no IS NULL OR table_no >= 1", name="table_positive"),
        UniqueConstraint("event_id", "slot_start", "table_no", name="uq_meetings_table_slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    counterpart_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.REQUESTED
    )
    slot_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    table_no: Mapped[int | None]
    locked: Mapped[bool] = mapped_column(default=False)  # the scheduler may not move it
    arranged_by_organiser: Mapped[bool] = mapped_column(default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requester_outcome: Mapped[MeetingOutcome | None] = mapped_column(
        str_enum(MeetingOutcome, "requester_outcome")
    )
    counterpart_outcome: Mapped[MeetingOutcome | None] = mapped_column(
        str_enum(MeetingOutcome, "counterpart_outcome")
    )
    follow_up: Mapped[MeetingFollowUp | None] = mapped_column(str_enum(MeetingFollowUp, "meeting_follow_up"))
    organiser_notes: Mapped[str] = mapped_column(Text, default="")  # never shown to participants
    # Who set completed / no_show and when (meetings/outcomes.py). An organiser's mark outranks the sides'
    # ratings; without one, the status follows the sides' ratings (marked_by_organiser stays False).
    marked_by_organiser: Mapped[bool] = mapped_column(default=False)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requester_rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counterpart_rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_note: Mapped[str] = mapped_column(Text, default="")  # for organisers, not the other side
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    requester: Mapped[Registration] = relationship(foreign_keys=[requester_id])
    counterpart: Mapped[Registration] = relationship(foreign_keys=[counterpart_id])
    bookings: Mapped[list[MeetingBooking]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )


class MeetingBooking(db.Model):
    """One side's seat in a scheduled meeting's slot.

    The unique (registration, slot) pair is how the database forbids anyone being in two meetings at
    once, whichever side of each meeting they are on. Written by the meetings services only.
    """

    __tablename__ = "meeting_bookings"
    __table_args__ = (UniqueConstraint("registration_id", "slot_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="bookings")


class Unavailability(db.Model):
    """A slot in which a participant cannot meet anyone."""

    __tablename__ = "unavailabilities"
    __table_args__ = (UniqueConstraint("registration_id", "slot_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(200), default="")
