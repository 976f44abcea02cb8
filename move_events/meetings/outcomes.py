"""Whether a meeting took place and what came of it: organisers' marks, the sides' ratings, follow-ups.

How the three sources combine (the rule the KPI report relies on: it counts COMPLETED meetings):

1. Nothing can be marked or rated before the meeting's slot starts: until then, nobody knows.
2. An organiser's mark (completed or no_show, single or for a whole slot) is authoritative: it is what
   somebody saw at the tables. The sides' ratings never change it; an organiser may change or undo it.
3. Without an organiser's mark, the status follows the sides' ratings:
   - a side rating it held (insufficient interest / informative / cooperation possible) and no side
     saying it did not take place: COMPLETED — a side may mark its own meeting held when no organiser did;
   - "did not take place" from one side and no side saying it was held: NO_SHOW;
   - the two sides contradicting each other, or no rating yet: SCHEDULED, left for an organiser to decide.
   Undoing an organiser's mark falls back to this rule.
4. A follow-up (negotiation started / agreement reached, with a note only organisers see) can be added
   by either side once the meeting counts as completed, and changed later; the last one stands.

Each mark, rating and follow-up first re-reads the meeting under its participants' locks
(``booking.lock_meeting``): two sides rating at once each see the other's rating, and a rating or an
unscheduling that waited for an organiser's mark sees the mark. ``mark_slot``'s single UPDATE checks its
conditions on the rows as they are when it gets them.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from move_events.auth.models import User
from move_events.db_types import utcnow
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.booking import MeetingError, lock_meeting
from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.registration.models import Registration

OUTCOME_STATUSES = (MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)
MARKS = (MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)
HELD = (MeetingOutcome.INSUFFICIENT_INTEREST, MeetingOutcome.INFORMATIVE, MeetingOutcome.COOPERATION_POSSIBLE)


class OutcomeError(MeetingError):
    """A mark, rating or follow-up was refused; the message is shown to the user."""


def has_started(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.slot_start is not None and meeting.slot_start <= (now or utcnow())


def status_from_ratings(meeting: Meeting) -> MeetingStatus:
    """Rule 3 of the module docstring: the status the two sides' ratings give."""
    ratings = [r for r in (meeting.requester_outcome, meeting.counterpart_outcome) if r is not None]
    held = any(r in HELD for r in ratings)
    missed = MeetingOutcome.DID_NOT_TAKE_PLACE in ratings
    if held and not missed:
        return MeetingStatus.COMPLETED
    if missed and not held:
        return MeetingStatus.NO_SHOW
    return MeetingStatus.SCHEDULED


def _check_markable(meeting: Meeting, now: datetime) -> None:
    if meeting.status not in OUTCOME_STATUSES or meeting.slot_start is None:
        raise OutcomeError(_l("Only a meeting with a time can be marked held or missed."))
    if not has_started(meeting, now):
        raise OutcomeError(_l("This meeting's slot has not started yet: it can be marked once it has."))


def mark_meeting(meeting: Meeting, *, status: MeetingStatus, by: User, now: datetime | None = None) -> None:
    """An organiser marks the meeting completed or no_show (rule 2), changing any earlier mark."""
    if status not in MARKS:
        raise OutcomeError(_l("A meeting is marked either held or not held."))
    now = now or utcnow()
    lock_meeting(meeting)
    _check_markable(meeting, now)
    meeting.status = status
    meeting.marked_by_organiser, meeting.marked_by_id, meeting.marked_at = True, by.id, now
    db.session.flush()


def mark_slot(
    event: Event, *, start: datetime, status: MeetingStatus, by: User, now: datetime | None = None
) -> int:
    """Mark every meeting of the slot that no organiser has marked yet, in one UPDATE; returns how many.
    Meetings an organiser marked one by one keep that mark."""
    if status not in MARKS:
        raise OutcomeError(_l("A meeting is marked either held or not held."))
    now = now or utcnow()
    if start > now:
        raise OutcomeError(_l("This slot has not started yet: its meetings can be marked once it has."))
    result = db.session.execute(
        update(Meeting)
        .where(
            Meeting.event_id == event.id,
            Meeting.slot_start == start,
            Meeting.status.in_(OUTCOME_STATUSES),
            Meeting.marked_by_organiser.is_(False),
        )
        .values(status=status, marked_by_organiser=True, marked_by_id=by.id, marked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return result.rowcount


def revert_mark(meeting: Meeting) -> None:
    """Undo an organiser's mark: the status follows the sides' ratings again (rule 3)."""
    lock_meeting(meeting)
    if not meeting.marked_by_organiser:
        raise OutcomeError(_l("No organiser has marked this meeting: there is nothing to undo."))
    meeting.marked_by_organiser, meeting.marked_by_id, meeting.marked_at = False, None, None
    meeting.status = status_from_ratings(meeting)
    db.session.flush()


def side_of(meeting: Meeting, registration: Registration) -> str | None:
    """ "requester", "counterpart", or None when the registration is not in the meeting."""
    if meeting.requester_id == registration.id:
        return "requester"
    if meeting.counterpart_id == registration.id:
        return "counterpart"
    return None


def can_rate(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.status in OUTCOME_STATUSES and has_started(meeting, now)


def rate_meeting(
    meeting: Meeting, *, registration: Registration, outcome: MeetingOutcome, now: datetime | None = None
) -> None:
    """A side says how the meeting went (may change it later); without an organiser's mark the status
    follows the ratings (rule 3)."""
    side = side_of(meeting, registration)
    if side is None:
        raise OutcomeError(_l("This is not one of your meetings."))
    now = now or utcnow()
    lock_meeting(meeting)  # the other side's rating, or an organiser's mark, committed meanwhile
    if not can_rate(meeting, now):
        raise OutcomeError(_l("You can say how this meeting went once its time has come."))
    setattr(meeting, f"{side}_outcome", outcome)
    setattr(meeting, f"{side}_rated_at", now)
    if not meeting.marked_by_organiser:
        meeting.status = status_from_ratings(meeting)
    db.session.flush()


def record_follow_up(
    meeting: Meeting,
    *,
    registration: Registration,
    follow_up: MeetingFollowUp,
    note: str = "",
    now: datetime | None = None,
) -> None:
    """A side tells what came of a held meeting (rule 4)."""
    if side_of(meeting, registration) is None:
        raise OutcomeError(_l("This is not one of your meetings."))
    lock_meeting(meeting)
    if meeting.status != MeetingStatus.COMPLETED:
        raise OutcomeError(_l("A follow-up can be added once the meeting is recorded as held."))
    meeting.follow_up, meeting.follow_up_note = follow_up, note.strip()
    meeting.follow_up_at, meeting.follow_up_by_id = now or utcnow(), registration.id
    db.session.flush()
