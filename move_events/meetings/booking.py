"""Slots and seats: where an event's meetings can go, and the one way a meeting is put in (or taken out of)
a slot.

Both ways of scheduling use these functions: a participant picking a common free slot when accepting
(``requests``), and the organiser's scheduler run (``planning``). ``place_meeting`` writes the meeting's
slot and table together with one ``MeetingBooking`` per side, so the database's unique constraints
(a table once per slot, a registration once per slot) stop any double booking, even between two requests
racing each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError

from move_events.db_types import is_transient_conflict
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus, Unavailability
from move_events.meetings.scheduling import Slot, slots_for_sessions
from move_events.registration.models import Registration


class MeetingError(Exception):
    """A meeting rule was broken; the message is shown to the user."""


class SlotTaken(MeetingError):
    """The slot is no longer free: another booking got there first. The session has been rolled back."""


def event_slots(event: Event) -> list[Slot]:
    """The event's meeting slots in time order (empty when the event has no meetings configured)."""
    if not event.has_meetings or not event.slot_minutes or not event.sessions:
        return []
    sessions = list(event.sessions)
    return slots_for_sessions(
        [(s.starts_at, s.ends_at) for s in sessions],
        event.slot_minutes,
        event.break_minutes or 0,
        [s.tables if s.tables is not None else (event.tables or 0) for s in sessions],
        [s.meeting_cap for s in sessions],
    )


def _starts_by_registration(model, registration_ids: Iterable[int]) -> dict[int, set[datetime]]:
    ids = list(registration_ids)
    found: dict[int, set[datetime]] = defaultdict(set)
    if ids:
        rows = db.session.execute(
            select(model.registration_id, model.slot_start).where(model.registration_id.in_(ids))
        )
        for registration_id, start in rows:
            found[registration_id].add(start)
    return found


def booked_slots(registration_ids: Iterable[int]) -> dict[int, set[datetime]]:
    """Registration id -> starts of the slots in which they already have a meeting."""
    return _starts_by_registration(MeetingBooking, registration_ids)


def unavailable_slots(registration_ids: Iterable[int]) -> dict[int, set[datetime]]:
    """Registration id -> starts of the slots they marked as unavailable."""
    return _starts_by_registration(Unavailability, registration_ids)


def tables_taken(event: Event) -> dict[datetime, set[int]]:
    """Slot start -> tables already holding a meeting of the event."""
    taken: dict[datetime, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(Meeting.slot_start, Meeting.table_no).where(
            Meeting.event_id == event.id, Meeting.slot_start.is_not(None), Meeting.table_no.is_not(None)
        )
    )
    for start, table in rows:
        taken[start].add(table)
    return taken


def _free_table(slot: Slot, taken: set[int]) -> int | None:
    return next((table for table in range(1, slot.tables + 1) if table not in taken), None)


def session_full(slot: Slot, slots: Sequence[Slot], booked: set[datetime]) -> bool:
    """Has someone with meetings at ``booked`` reached the cap of ``slot``'s session?"""
    if slot.session_cap is None:
        return False
    in_session = sum(1 for other in slots if other.session == slot.session and other.start in booked)
    return in_session >= slot.session_cap


def common_free_slots(meeting: Meeting) -> list[Slot]:
    """Slots in which both sides are free (no meeting, not unavailable, under the session's cap) and a
    table is free.

    The meeting's own current slot, if any, counts as free for it.
    """
    return common_free_slots_of([meeting])[meeting.id]


def common_free_slots_of(meetings: Sequence[Meeting]) -> dict[int, list[Slot]]:
    """``common_free_slots`` for several meetings of one event (a participant's incoming requests) in
    four queries, whatever their number: the event's seats are read once, not once per meeting."""
    if not meetings:
        return {}
    event = meetings[0].event
    sides = {side for m in meetings for side in (m.requester_id, m.counterpart_id)}
    booked, unavailable = booked_slots(sides), unavailable_slots(sides)
    taken, slots = tables_taken(event), event_slots(event)

    def free(meeting: Meeting, slot: Slot) -> bool:
        own = slot.start == meeting.slot_start  # the meeting's own seats count as free for it
        for side in (meeting.requester_id, meeting.counterpart_id):
            if (slot.start in booked[side] and not own) or slot.start in unavailable[side]:
                return False
            if session_full(slot, slots, booked[side] - {meeting.slot_start}):
                return False
        tables = taken[slot.start] - {meeting.table_no} if own else taken[slot.start]
        return _free_table(slot, tables) is not None

    return {m.id: [slot for slot in slots if free(m, slot)] for m in meetings}


def lock_participants(registration_ids: Iterable[int]) -> None:
    """Serialise decisions about these participants (duplicates, caps, seats) between concurrent
    requests: row locks in id order on PostgreSQL (no deadlock); SQLite serialises writers anyway.

    Every path that writes or frees seats takes these locks before anything else it locks: the
    scheduler run holds its participants' rows (FOR KEY SHARE) for its whole transaction, so a
    participant's accept, move or cancel waits for the run instead of deadlocking with it."""
    db.session.execute(
        select(Registration.id)
        .where(Registration.id.in_(list(registration_ids)))
        .order_by(Registration.id)
        .with_for_update()
    )


def lock_meeting(meeting: Meeting) -> None:
    """Lock the meeting's two participants, then its row, and read it again: whoever changed it while
    this transaction waited (a side withdrawing, another organiser, a slot's marks) has committed by
    now. Every change of a meeting that rests on its status takes this first, then checks."""
    lock_participants((meeting.requester_id, meeting.counterpart_id))
    db.session.refresh(meeting, with_for_update=True)


def unplace_meeting(meeting: Meeting) -> None:
    """Take the meeting out of its slot (its seats are freed); a scheduled meeting goes back to accepted."""
    if meeting.id is not None:
        lock_participants((meeting.requester_id, meeting.counterpart_id))
    _free_seats(meeting)


def _free_seats(meeting: Meeting) -> None:
    """``unplace_meeting`` for a caller that holds the two participants' locks already."""
    if meeting.id is not None:
        db.session.execute(delete(MeetingBooking).where(MeetingBooking.meeting_id == meeting.id))
        db.session.expire(meeting, ["bookings"])
    meeting.slot_start = None
    meeting.table_no = None
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.ACCEPTED
    db.session.flush()


def place_meeting(meeting: Meeting, *, start: datetime, table: int | None = None) -> None:
    """Put the meeting in the slot starting at ``start``, at ``table`` (the first free one if None).

    Checks what can be checked beforehand and raises MeetingError with a reason; the database's unique
    constraints catch what changed meanwhile, in which case the whole session is rolled back and
    SlotTaken is raised (callers commit once per request, so nothing else of theirs is half-done).
    """
    if meeting.status not in (MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED):
        raise MeetingError(_l("Only accepted meetings can be given a time."))
    slots = event_slots(meeting.event)
    slot = next((slot for slot in slots if slot.start == start), None)
    if slot is None:
        raise MeetingError(_l("That time is not one of the event's meeting slots."))
    sides = (meeting.requester_id, meeting.counterpart_id)
    lock_participants(sides)
    booked, unavailable = booked_slots(sides), unavailable_slots(sides)
    taken = tables_taken(meeting.event)
    if meeting.slot_start is not None:
        for side in sides:
            booked[side].discard(meeting.slot_start)
        taken[meeting.slot_start].discard(meeting.table_no)
    if any(start in booked[side] for side in sides):
        raise SlotTaken(_l("One of the two already has a meeting at that time."))
    if any(start in unavailable[side] for side in sides):
        raise MeetingError(_l("One of the two marked that time as unavailable."))
    if any(session_full(slot, slots, booked[side]) for side in sides):
        raise MeetingError(
            _nl(
                "One of the two already has %(num)d meeting in that session, the most allowed.",
                "One of the two already has %(num)d meetings in that session, the most allowed.",
                slot.session_cap,
            )
        )
    if table is None:
        table = _free_table(slot, taken[start])
        if table is None:
            raise SlotTaken(_l("Every table is taken at that time."))
    elif not 1 <= table <= slot.tables:
        raise MeetingError(_l("There is no table %(table)s in that slot.", table=table))
    elif table in taken[start]:
        raise SlotTaken(_l("Table %(table)s is taken at that time.", table=table))

    try:
        _free_seats(meeting)  # the participants are locked above
        meeting.slot_start, meeting.table_no = start, table
        meeting.status = MeetingStatus.SCHEDULED
        for side in sides:
            db.session.add(MeetingBooking(meeting=meeting, registration_id=side, slot_start=start))
        db.session.flush()
    except (IntegrityError, OperationalError) as error:
        # A seat taken meanwhile (unique constraint), or a deadlock lost to a scheduler run writing
        # the same seats: either way the other one got there first.
        if isinstance(error, OperationalError) and not is_transient_conflict(error):
            raise
        db.session.rollback()
        raise SlotTaken(_l("That slot was taken a moment ago. Please choose another.")) from error
