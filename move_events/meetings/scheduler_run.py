"""The organiser's scheduler run: every accepted or scheduled meeting of an event placed at once.

Rules:
- the run takes the event's accepted and scheduled meetings whose two sides are confirmed; locked
  meetings with a place stay there, and so do held or missed meetings (they count towards caps and
  occupy their seats); unavailability, Event.meeting_cap and each session's cap are respected
  (build_schedule's rules);
- the result is written in ONE transaction, in bulk: the unlocked meetings of the run are unplaced
  (their seats deleted) with two statements, then the new slots and tables are written with one
  executemany UPDATE and the seats with one executemany INSERT. A 2,000-participant event has up to
  10,000 meetings: a query per meeting would take minutes;
- the same invariants as ``booking.place_meeting`` hold: a scheduled meeting has a slot, a table and
  one MeetingBooking per side, and the database's unique constraints (a registration once per slot, a
  table once per slot) forbid double booking.

Concurrency: on PostgreSQL an advisory lock per event makes two organisers' runs take turns, the second
one planning on the first one's result. The run then holds its event's registrations FOR KEY SHARE until
it commits: every other path that writes or frees seats (a participant's accept or cancel, an organiser's
move) starts by locking its two participants FOR UPDATE (``booking.lock_participants``), so it waits for
the run (or the run for it) before either has touched a seat — no deadlock, and caps (per participant and
per session) are decided on seats that cannot change underneath. Door check-ins update registrations
without conflicting with KEY SHARE: the door never waits for a run. The run's meeting rows are locked
too (FOR NO KEY UPDATE), for the paths that change a meeting without its participants' locks (marks,
notes). Should the database still refuse the run's write (a constraint, a deadlock), the whole run is
rolled back and SchedulerConflict tells the organiser to run it again. SQLite has no row locks and
serialises writers: there the constraints alone decide, with the same message.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import aliased

from move_events.db_types import is_transient_conflict
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.booking import MeetingError, event_slots, session_full, unavailable_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus
from move_events.meetings.planning import PlanningError
from move_events.meetings.scheduling import (
    MeetingToPlace,
    Placement,
    Schedule,
    ScheduleStats,
    Slot,
    UnplacedReason,
    build_schedule,
)
from move_events.registration.models import Registration, RegistrationStatus

RUN_STATUSES = (MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED)
HELD_STATUSES = (MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)
SCHEDULED = MeetingStatus.SCHEDULED
CHUNK = 5000  # ids per IN (...) list: under every driver's parameter limit
RUN_LOCK_NAMESPACE = 0x4D45  # "ME": the first key of pg_advisory_xact_lock(int, int) for scheduler runs


RUN_AGAIN = _l(
    "Meanwhile someone else booked or changed meetings of this event, so the schedule was not"
    " saved. Nothing was changed: please run the scheduler again."
)


class SchedulerConflict(MeetingError):
    """Someone booked a seat the run wanted while it ran; nothing of the run was kept."""


@dataclass(frozen=True)
class UnplacedMeeting:
    meeting_id: int
    requester: str
    counterpart: str
    reason: UnplacedReason
    message: str  # translated, naming the participant concerned


class PlaceChange(enum.StrEnum):
    """What a run did to one meeting's place (meetings/schedule_mails.py tells both sides)."""

    PLACED = "placed"  # had no time, got one
    MOVED = "moved"  # another time or table
    LOST = "lost"  # had a time, has none now


@dataclass(frozen=True)
class SchedulerRun:
    stats: ScheduleStats
    moved: int  # unlocked meetings whose slot or table changed
    unplaced: list[UnplacedMeeting]
    changes: dict[int, PlaceChange] = field(default_factory=dict)  # meeting id -> what happened to it


# Told where a run is: ("reading" | "solving" | "writing", fraction of that phase done, 0..1).
Progress = Callable[[str, float], None]


def _no_progress(phase: str, done: float) -> None:
    pass


@dataclass(frozen=True)
class _Row:
    id: int
    a: int
    b: int
    status: MeetingStatus
    slot_start: datetime | None
    table_no: int | None
    locked: bool


def run_scheduler(*, event: Event, progress: Progress | None = None) -> SchedulerRun:
    """Place every accepted or scheduled meeting of ``event``; see the module docstring for the rules.

    ``progress`` is told each phase as it starts (a background job shows it). Raises PlanningError when
    the event has no slots or two locked meetings clash, and SchedulerConflict (session rolled back) when
    a concurrent booking took a seat the run wanted.
    """
    progress = progress or _no_progress
    progress("reading", 0.0)
    _serialise_runs(event)
    _hold_participants(event)
    slots = event_slots(event)
    if not slots:
        raise PlanningError(_l("This event has no meeting slots: set its sessions and slot length first."))
    rows = _run_rows(event)
    slot_starts = {slot.start for slot in slots}
    held = [r for r in _held_rows(event) if r.slot_start in slot_starts]  # older ones no longer matter
    locked = {
        r.id: Placement(start=r.slot_start, table=r.table_no)
        for r in rows + held
        if (r.locked or r.status in HELD_STATUSES) and r.slot_start is not None and r.table_no is not None
    }
    for meeting_id, where in locked.items():
        if where.start not in slot_starts:
            raise PlanningError(
                _l("Meeting %(id)s is locked at a time that is no longer a meeting slot.", id=meeting_id)
            )
    people = {p for r in rows + held for p in (r.a, r.b)}
    caps = dict.fromkeys(people, event.meeting_cap) if event.meeting_cap else {}
    unavailable = unavailable_slots(people)
    candidates = [MeetingToPlace(r.id, r.a, r.b) for r in rows + held]
    progress("solving", 0.0)
    try:
        schedule = build_schedule(slots, candidates, locked=locked, unavailable=unavailable, caps=caps)
    except ValueError as error:
        raise PlanningError(_l("Locked meetings clash: %(detail)s", detail=str(error))) from error
    movable = [r for r in rows if r.id not in locked]
    progress("writing", 0.0)
    moved = _write(movable, schedule.placements)
    names = _names({p for r in movable if r.id in schedule.unplaced for p in (r.a, r.b)})
    return SchedulerRun(
        stats=schedule.stats,
        moved=moved,
        unplaced=_explain_unplaced(rows + held, schedule, names, caps, unavailable, slots),
        changes=_changes(movable, schedule.placements),
    )


def _changes(movable: list[_Row], placements: dict[int, Placement]) -> dict[int, PlaceChange]:
    """The movable meetings whose place the run changed: newly placed, moved, or left without one."""
    out: dict[int, PlaceChange] = {}
    for r in movable:
        had = r.slot_start is not None and r.table_no is not None
        new = placements.get(r.id)
        if new is None:
            if had:
                out[r.id] = PlaceChange.LOST
        elif not had:
            out[r.id] = PlaceChange.PLACED
        elif (r.slot_start, r.table_no) != (new.start, new.table):
            out[r.id] = PlaceChange.MOVED
    return out


def _serialise_runs(event: Event) -> None:
    """One run per event at a time. A transaction-scoped advisory lock rather than the event row's
    FOR UPDATE: registrations lock that row, and a run of a large event takes seconds."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(RUN_LOCK_NAMESPACE, event.id)))


def _hold_participants(event: Event) -> None:
    """The event's registrations FOR KEY SHARE, in id order: participants' seat changes (which lock
    their rows FOR UPDATE first) wait for the run; check-ins (plain updates) do not."""
    db.session.execute(
        select(Registration.id)
        .where(Registration.event_id == event.id)
        .order_by(Registration.id)
        .with_for_update(read=True, key_share=True)
    )


def _run_rows(event: Event) -> list[_Row]:
    """The run's meetings (accepted or scheduled, both sides confirmed), their rows locked on PostgreSQL."""
    a, b = aliased(Registration), aliased(Registration)
    stmt = (
        select(
            Meeting.id,
            Meeting.requester_id,
            Meeting.counterpart_id,
            Meeting.status,
            Meeting.slot_start,
            Meeting.table_no,
            Meeting.locked,
        )
        .join(a, Meeting.requester_id == a.id)
        .join(b, Meeting.counterpart_id == b.id)
        .where(
            Meeting.event_id == event.id,
            Meeting.status.in_(RUN_STATUSES),
            a.status == RegistrationStatus.CONFIRMED,
            b.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Meeting.id)
        .with_for_update(of=Meeting, key_share=True)
    )
    return [_Row(*row) for row in db.session.execute(stmt)]


def _held_rows(event: Event) -> list[_Row]:
    """Held or missed meetings with a place: fixed, they keep their seats and count towards caps."""
    stmt = select(
        Meeting.id,
        Meeting.requester_id,
        Meeting.counterpart_id,
        Meeting.status,
        Meeting.slot_start,
        Meeting.table_no,
        Meeting.locked,
    ).where(
        Meeting.event_id == event.id,
        Meeting.status.in_(HELD_STATUSES),
        Meeting.slot_start.is_not(None),
        Meeting.table_no.is_not(None),
    )
    return [_Row(*row) for row in db.session.execute(stmt)]


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _write(movable: list[_Row], placements: dict[int, Placement]) -> int:
    """Unplace the movable meetings, then write their new places and seats, all in bulk. Returns how
    many changed place. On a constraint conflict, rolls back and raises SchedulerConflict."""
    ids = [r.id for r in movable]
    try:
        for chunk in _chunks(ids):
            db.session.execute(delete(MeetingBooking).where(MeetingBooking.meeting_id.in_(chunk)))
            result = db.session.execute(
                update(Meeting)
                .where(Meeting.id.in_(chunk), Meeting.status.in_(RUN_STATUSES))
                .values(slot_start=None, table_no=None, status=MeetingStatus.ACCEPTED)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != len(chunk):  # cancelled or declined meanwhile (no row locks on SQLite)
                raise _Changed
        new = [(r, placements[r.id]) for r in movable if r.id in placements]
        if new:
            db.session.execute(
                update(Meeting),
                [
                    {
                        "id": r.id,
                        "slot_start": p.start,
                        "table_no": p.table,
                        "status": MeetingStatus.SCHEDULED,
                    }
                    for r, p in new
                ],
            )
            db.session.execute(
                insert(MeetingBooking),
                [
                    {"meeting_id": r.id, "registration_id": side, "slot_start": p.start}
                    for r, p in new
                    for side in (r.a, r.b)
                ],
            )
        db.session.flush()
    except (IntegrityError, OperationalError, _Changed) as error:
        if isinstance(error, OperationalError) and not is_transient_conflict(error):
            raise
        db.session.rollback()  # a seat taken meanwhile, or a deadlock with a participant's booking
        raise SchedulerConflict(RUN_AGAIN) from error
    db.session.expire_all()
    return sum(1 for r, p in new if (r.slot_start, r.table_no) != (p.start, p.table))


class _Changed(Exception):
    pass


def _names(ids: set[int]) -> dict[int, str]:
    from move_events.directory.models import Person

    if not ids:
        return {}
    rows = db.session.execute(
        select(Registration.id, Person.given_name, Person.family_name)
        .join(Person, Registration.person_id == Person.id)
        .where(Registration.id.in_(ids))
    )
    return {rid: f"{given} {family}".strip() for rid, given, family in rows}


def _explain_unplaced(
    rows: list[_Row],
    schedule: Schedule,
    names: dict[int, str],
    caps: dict[int, int],
    unavailable: dict[int, set[datetime]],
    slots: list[Slot],
) -> list[UnplacedMeeting]:
    """Why each meeting was left out, in words naming the participant concerned. Recomputed from the
    final schedule (the scheduler's own detail strings are English and name ids)."""
    load: Counter[int] = Counter()
    booked: dict[int, set[datetime]] = defaultdict(set)
    by_id = {r.id: r for r in rows}
    for meeting_id, where in schedule.placements.items():
        row = by_id[meeting_id]
        for p in (row.a, row.b):
            load[p] += 1
            booked[p].add(where.start)
    out = []
    for row in rows:
        why = schedule.unplaced.get(row.id)
        if why is None:
            continue
        a, b = names.get(row.a, str(row.a)), names.get(row.b, str(row.b))
        reason = why.reason
        if reason == UnplacedReason.CAP_REACHED:
            who = a if caps.get(row.a) and load[row.a] >= caps[row.a] else b
            cap = caps.get(row.a) or caps.get(row.b)
            message = _l("%(name)s already has the most meetings allowed (%(cap)s).", name=who, cap=cap)
        elif reason == UnplacedReason.SESSION_CAP_REACHED:
            full = _full_in_every_common_session(row, booked, unavailable, slots)
            if full is not None:
                message = _l(
                    "%(name)s already has the most meetings allowed in each session where both are free.",
                    name=a if full == row.a else b,
                )
            else:
                message = _l(
                    "%(a)s and %(b)s are both free only in sessions where one of them already has the most"
                    " meetings allowed in that session.",
                    a=a,
                    b=b,
                )
        elif reason == UnplacedReason.NO_COMMON_FREE_SLOT:
            message = _l("%(a)s and %(b)s have no time free of other meetings in common.", a=a, b=b)
        elif reason == UnplacedReason.UNAVAILABLE:
            free = {s.start for s in slots} - booked[row.a] - booked[row.b]
            if not free - unavailable.get(row.a, set()):
                message = _l("%(name)s is unavailable whenever both are free.", name=a)
            elif not free - unavailable.get(row.b, set()):
                message = _l("%(name)s is unavailable whenever both are free.", name=b)
            else:
                message = _l("%(a)s and %(b)s are unavailable at different times.", a=a, b=b)
        else:
            message = _l("Every table is taken whenever %(a)s and %(b)s are both free.", a=a, b=b)
        out.append(UnplacedMeeting(row.id, a, b, reason, str(message)))
    return out


def _full_in_every_common_session(
    row: _Row, booked: dict[int, set[datetime]], unavailable: dict[int, set[datetime]], slots: list[Slot]
) -> int | None:
    """The side that is at its session's cap in every slot where both are free, if one is."""
    taken = booked[row.a] | booked[row.b] | unavailable.get(row.a, set()) | unavailable.get(row.b, set())
    free = [slot for slot in slots if slot.start not in taken]
    if not free:
        return None
    return next(
        (p for p in (row.a, row.b) if all(session_full(slot, slots, booked[p]) for slot in free)), None
    )
