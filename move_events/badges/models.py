"""Background PDF jobs: one row per "render these badges (agendas, the table plan) as one PDF" request.

The finished PDF is kept in the row (``LargeBinary``): simplest, transactional, and the same on SQLite
and PostgreSQL. A 1,000-badge PDF is a few megabytes; old jobs can be deleted with their event.
``heartbeat_at`` moves whenever a running job commits progress, so a job whose process died (no
heartbeat for ``PRINT_JOB_STALE_MINUTES``) can be told from a slow one and re-queued or failed.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.auth.models import User
    from move_events.events.models import Event


class PrintJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(enum.StrEnum):
    """What a job renders (move_events/badges/job_kinds.py holds a renderer for each)."""

    BADGES = "badges"
    AGENDAS = "agendas"  # every participant's meeting agenda (meetings/agendas.py)
    TABLE_PLAN = "table_plan"  # the event's table plan, one page a slot (meetings/agendas.py)


class BadgePrintJob(db.Model):
    """One PDF rendered in the background, with progress.

    ``kind`` "badges": badges of an event (registrations with one of ``statuses``; with
    ``only_unprinted``, only those whose badge was never printed) in ``layout``. ``kind`` "agendas": the
    meeting agendas of the event's registrations that have a scheduled meeting (``layout`` is empty).
    ``kind`` "table_plan": the event's table plan; ``total`` and ``done`` count meetings, not badges.
    """

    __tablename__ = "badge_print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[JobKind] = mapped_column(
        str_enum(JobKind, "print_job_kind"), default=JobKind.BADGES, server_default=JobKind.BADGES.value
    )
    layout: Mapped[str] = mapped_column(String(20))
    statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    only_unprinted: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(16), default="en")  # the requester's: labels and dates
    status: Mapped[PrintJobStatus] = mapped_column(
        str_enum(PrintJobStatus, "badge_print_job_status"), default=PrintJobStatus.QUEUED
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)  # badges (agendas, meetings) rendered so far
    error: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # loaded only for the download
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # of the current attempt
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last sign of life while running
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")  # runs started so far

    event: Mapped[Event] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def percent(self) -> int:
        if self.status == PrintJobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def __repr__(self) -> str:
        return (
            f"<BadgePrintJob {self.id} {self.kind} event={self.event_id} {self.status} "
            f"{self.done}/{self.total}>"
        )
