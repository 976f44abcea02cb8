from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.auth.models import User
    from move_events.events.models import Event
    from move_events.registration.models import Registration


class ScanDirection(enum.StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


class ScanResult(enum.StrEnum):
    WELCOME = "welcome"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CONFIRMED = "not_confirmed"  # cancelled, waitlisted, pending or declined
    WRONG_EVENT = "wrong_event"
    INVALID = "invalid"  # forged, truncated or revoked badge, or an unknown token
    UNDONE = "undone"  # a staff member undid a mistaken check-in
    LEFT = "left"  # an exit scan of a confirmed registration: no longer inside


class CheckInList(db.Model):
    """A list people are checked in on: one per day or room of an event.

    Each list is its own welcome: a person enters once per list (day 1 and day 2 are separate), and
    the event's ``Registration.checked_in_at`` stays their first arrival at the event as a whole.
    """

    __tablename__ = "checkin_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    day: Mapped[date | None]

    event: Mapped[Event] = relationship()


class CheckInListEntry(db.Model):
    """A person admitted on a check-in list.

    The unique (list, registration) pair is what makes "once per list" hold when two doors scan one
    badge at the same moment: the second INSERT finds the first (``ON CONFLICT DO NOTHING``).
    """

    __tablename__ = "checkin_list_entries"
    __table_args__ = (UniqueConstraint("checkin_list_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_list_id: Mapped[int] = mapped_column(ForeignKey("checkin_lists.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    door: Mapped[str] = mapped_column(String(120), default="")

    checked_in_by: Mapped[User | None] = relationship()


class CheckIn(db.Model):
    """The scan log: one row per scan, failed ones too.

    ``nonce`` comes from the scanning device; a retried request with the same nonce is the same scan
    and must not be counted twice, hence the unique constraint. It is unique per event, not globally:
    a nonce is the client's word only, and one sent again to another event (a reused or guessed one)
    is a new scan there, never a replay of the other event's outcome.
    """

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("event_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    checkin_list_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_lists.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    raw_token: Mapped[str] = mapped_column(String(200), default="")
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scanned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device: Mapped[str] = mapped_column(String(120), default="")
    door: Mapped[str] = mapped_column(String(120), default="")
    direction: Mapped[ScanDirection] = mapped_column(
        str_enum(ScanDirection, "scan_direction"), default=ScanDirection.ENTRY
    )
    result: Mapped[ScanResult] = mapped_column(str_enum(ScanResult, "scan_result"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    nonce: Mapped[str | None] = mapped_column(String(64))

    registration: Mapped[Registration | None] = relationship()
    checkin_list: Mapped[CheckInList | None] = relationship()
