from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.auth.models import User
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


class SchedulerJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SchedulerPhase(enum.StrEnum):
    """Where a running scheduler job is, in order (meetings/scheduler_jobs.py)."""

    READING = "reading"
    SOLVING = "solving"
    WRITING = "writing"
    MAILING = "mailing"


ACTIVE_SCHEDULER_JOB_SQL = "status IN ('queued', 'running')"


class SchedulerJob(db.Model):
    """One organiser's "run the scheduler" for an event, run in the background with progress.

    At most one queued or running job per event (a partial unique index). ``result`` is written in the
    same transaction as the schedule: placed / unplaced counts, each unplaced meeting with its reason (in
    the requester's language), how many meetings moved and how many e-mails were queued.
    """

    __tablename__ = "scheduler_jobs"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        Index(
            "uq_scheduler_jobs_active_event",
            "event_id",
            unique=True,
            sqlite_where=text(ACTIVE_SCHEDULER_JOB_SQL),
            postgresql_where=text(ACTIVE_SCHEDULER_JOB_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(16), default="en")  # the requester's: reasons, errors
    status: Mapped[SchedulerJobStatus] = mapped_column(
        str_enum(SchedulerJobStatus, "scheduler_job_status"), default=SchedulerJobStatus.QUEUED
    )
    phase: Mapped[SchedulerPhase] = mapped_column(
        str_enum(SchedulerPhase, "scheduler_job_phase"), default=SchedulerPhase.READING
    )
    percent: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # of the current attempt
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last sign of life while running
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)  # runs started so far

    event: Mapped[Event] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def active(self) -> bool:
        return self.status in (SchedulerJobStatus.QUEUED, SchedulerJobStatus.RUNNING)

    def __repr__(self) -> str:
        return f"<SchedulerJob {self.id} event={self.event_id} {self.status} {self.phase} {self.percent}%>"
