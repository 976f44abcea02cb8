"""Meeting scheduler: puts accepted one-to-one meetings into slots and at tables. Pure Python, no Flask.

Rules, in priority order:
1. hard: nobody is in two meetings in one slot, no table holds two meetings in one slot, nobody meets in a
   slot they marked unavailable, nobody gets more meetings than their cap (in all, and within a
   session that has a cap of its own), locked meetings stay where they are;
2. place as many meetings as possible (a first-fit greedy places only 77–97% of what is possible on
   brokerage-shaped events, so stuck meetings are placed by moving others along ejection chains, then
   along augmenting paths: a person short of meetings takes one from someone who gets another in its
   stead, and so on; the LP bound of exact.py tells the search when nothing more fits, and where it is
   short of that bound HiGHS solves the event exactly, or, on larger events, the part of it where the
   LP relaxation and the schedule disagree);
3. among schedules of that size, leave as few people as possible with no meeting although one of their
   requests could be placed (a plateau search that keeps the total moves meetings to them);
4. then leave few idle gaps in each person's day (counted within each session);
5. then keep a person at the same table across consecutive slots where that is free.

Every meeting that could not be placed is returned with the reason. The result depends only on the
inputs and the seed (meetings are processed in id order, whatever order they come in), unless one of
HiGHS's safety-net time limits in exact.py is reached.
Benchmarks against the proven optimum: docs/performance.md.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from move_events.meetings import exact
from move_events.meetings.bounds import b_matching_bound
from move_events.meetings.placement import Engine

DEFAULT_DEPTH = 3  # longest ejection chain tried for one stuck meeting (deeper: slower, hardly better)
DEFAULT_BUDGET = 20  # slots examined per stuck meeting and round
REPAIR_ROUNDS = 2  # later rounds retry what is still unplaced with a doubled budget
PATH_WORK_PER_MEETING = 5  # work (meetings looked at) of one pass of augmenting paths, per meeting
MOVES_PER_MEETING = 20  # plateau moves of the improvement search, per meeting ...
MOVE_WORK = 20_000_000  # ... but no more than MOVE_WORK / meetings (bounds the time on large events)
STALL = 2000  # a round of the plateau search stops after this many moves with no gain
IMPROVE_ROUNDS = 4  # the plateau search runs in rounds, each followed by augmenting paths
# Small events (up to SMALL_EVENT meetings) can afford a deeper search, and need it (hard shapes: a few
# meetings short of the optimum without): more rounds, and ejection walks where the chains give up.
SMALL_EVENT = 1500
SMALL_MOVES_PER_MEETING = 200  # (MOVE_WORK still applies: 28,571 moves in all at 700 meetings)
SMALL_ROUNDS = 16
WALK_STEPS = 200  # longest ejection walk (steps), small events only ...
WALK_WORK_PER_MEETING = 300  # ... and at most this many steps of all walks together, per meeting


@dataclass(frozen=True)
class Slot:
    """One meeting slot: every meeting in it starts and ends together, at one of ``tables`` tables."""

    start: datetime
    end: datetime
    tables: int
    session: int = 0  # index of the session it belongs to: idle gaps are not counted across sessions
    session_cap: int | None = None  # most meetings a participant may have in this slot's session


@dataclass(frozen=True)
class MeetingToPlace:
    """An accepted meeting between participants ``a`` and ``b`` (registration ids)."""

    id: int
    a: int
    b: int


@dataclass(frozen=True)
class Placement:
    start: datetime  # the slot's start: what Meeting.slot_start stores
    table: int  # 1-based, as Meeting.table_no


class UnplacedReason(enum.StrEnum):
    CAP_REACHED = "cap_reached"
    SESSION_CAP_REACHED = "session_cap_reached"  # free for both only in sessions where one side is full
    NO_COMMON_FREE_SLOT = "no_common_free_slot"  # every slot holds a meeting of one side or the other
    UNAVAILABLE = "unavailable"  # in each slot where both are free of meetings, one side is unavailable
    NO_TABLE_FREE = "no_table_free"  # free for both somewhere, but every table is taken there


@dataclass(frozen=True)
class Unplaced:
    reason: UnplacedReason
    detail: str  # for the organiser, naming the participant concerned


@dataclass(frozen=True)
class ScheduleStats:
    meetings: int
    placed: int
    locked: int
    unplaced: int
    idle_gaps: int  # idle slots between people's first and last meetings, summed over people and sessions
    seconds: float


@dataclass(frozen=True)
class Schedule:
    placements: dict[int, Placement]  # meeting id -> where and when (locked ones included)
    unplaced: dict[int, Unplaced]  # meeting id -> why not
    stats: ScheduleStats


def slots_for_sessions(
    sessions: Sequence[tuple[datetime, datetime]],
    slot_minutes: int,
    break_minutes: int,
    tables: int | Sequence[int],
    session_caps: Sequence[int | None] | None = None,
) -> list[Slot]:
    """Cut sessions into slots of ``slot_minutes`` with ``break_minutes`` between them.

    A slot that would end after its session's end is dropped (no partial slots). ``tables`` is one count
    for every session or one per session; ``session_caps`` one cap per session (None: no cap of its own).
    Slots come out in time order, sessions sorted by start.
    """
    if slot_minutes <= 0 or break_minutes < 0:
        raise ValueError("slot_minutes must be positive and break_minutes not negative")
    per_session = [tables] * len(sessions) if isinstance(tables, int) else list(tables)
    if len(per_session) != len(sessions) or any(t < 0 for t in per_session):
        raise ValueError("tables: one non-negative count, or one per session")
    caps = [None] * len(sessions) if session_caps is None else list(session_caps)
    if len(caps) != len(sessions) or any(c is not None and c < 1 for c in caps):
        raise ValueError("session_caps: one positive cap or None per session")
    length, step = timedelta(minutes=slot_minutes), timedelta(minutes=slot_minutes + break_minutes)
    slots: list[Slot] = []
    ordered = sorted(zip(sessions, per_session, caps, strict=True), key=lambda item: item[0][0])
    for index, ((start, end), count, cap) in enumerate(ordered):
        at = start
        while at + length <= end:
            slots.append(Slot(start=at, end=at + length, tables=count, session=index, session_cap=cap))
            at += step
    return slots


def build_schedule(
    slots: Sequence[Slot],
    meetings: Sequence[MeetingToPlace],
    *,
    locked: Mapping[int, Placement] | None = None,
    unavailable: Mapping[int, set[datetime]] | None = None,
    caps: Mapping[int, int] | None = None,
    seed: int = 0,
    depth: int = DEFAULT_DEPTH,
    budget: int = DEFAULT_BUDGET,
) -> Schedule:
    """Place ``meetings`` into ``slots``; see the module docstring for the rules.

    ``locked`` meetings (ids among ``meetings``) keep their slot and table, even in a slot a side has
    since marked unavailable or beyond a cap, and count towards caps; locks that clash with each other
    raise ValueError. ``unavailable`` maps a participant to the starts of the slots they cannot meet in;
    ``caps`` maps a participant to the most meetings they may have; a slot's ``session_cap`` limits each
    participant's meetings within its session. Raises ValueError on inconsistent input.
    """
    began = time.perf_counter()
    locked, unavailable, caps = locked or {}, unavailable or {}, caps or {}
    ordered = sorted(meetings, key=lambda m: m.id)
    if len({m.id for m in ordered}) != len(ordered):
        raise ValueError("meeting ids must be unique")
    if any(m.a == m.b for m in ordered):
        raise ValueError("a meeting needs two different participants")
    slot_index = {slot.start: i for i, slot in enumerate(slots)}
    if len(slot_index) != len(slots):
        raise ValueError("slot starts must be unique")
    people = sorted({p for m in ordered for p in (m.a, m.b)})
    person_index = {p: i for i, p in enumerate(people)}
    all_slots = (1 << len(slots)) - 1
    avail = [all_slots] * len(people)
    for p, starts in unavailable.items():
        if p in person_index:
            avail[person_index[p]] &= ~sum(1 << slot_index[s] for s in starts if s in slot_index)
    sessions = sorted({slot.session for slot in slots})
    session_caps = {k: {slot.session_cap for slot in slots if slot.session == k} for k in sessions}
    if any(len(found) != 1 for found in session_caps.values()):
        raise ValueError("all slots of a session must have the same session_cap")

    def new_engine() -> Engine:
        return Engine(
            tables=[slot.tables for slot in slots],
            session_masks=[sum(1 << i for i, sl in enumerate(slots) if sl.session == k) for k in sessions],
            ends=[(person_index[m.a], person_index[m.b]) for m in ordered],
            avail=avail,
            caps=[caps.get(p, len(slots) + 1) for p in people],
            session_caps=[next(iter(session_caps[k])) or len(slots) + 1 for k in sessions],
            seed=seed,
        )

    index_of = {m.id: i for i, m in enumerate(ordered)}
    engine = new_engine()
    locked_tables = _apply_locks(engine, locked, index_of, slot_index, slots)
    _place_all(engine, depth, budget)
    _improve(engine, depth, budget)
    _finish(engine)
    # The search can get stuck where plain first-fit does not (rare, mostly with session caps): then
    # start again from first-fit's placement, so the result is never worse than first-fit.
    floor = new_engine()
    _apply_locks(floor, locked, index_of, slot_index, slots)
    floor.first_fit()
    if sum(s >= 0 for s in floor.slot_of) > sum(s >= 0 for s in engine.slot_of):
        _place_all(floor, depth, budget)
        _improve(floor, depth, budget)
        _finish(floor)
        engine = floor
    placements = _assign_tables(engine, slots, ordered, locked_tables)
    unplaced = {
        m.id: _why_unplaced(engine, index_of[m.id], m, slots)
        for m in ordered
        if engine.slot_of[index_of[m.id]] < 0
    }
    stats = ScheduleStats(
        meetings=len(ordered),
        placed=len(placements),
        locked=len(locked),
        unplaced=len(unplaced),
        idle_gaps=sum(engine.gaps(b) for b in engine.booked),
        seconds=time.perf_counter() - began,
    )
    return Schedule(placements=placements, unplaced=unplaced, stats=stats)


def _apply_locks(
    engine: Engine,
    locked: Mapping[int, Placement],
    index_of: dict[int, int],
    slot_index: dict[datetime, int],
    slots: Sequence[Slot],
) -> dict[int, int]:
    """Put locked meetings in place; returns meeting index -> table."""
    tables: dict[int, int] = {}
    taken: set[tuple[int, int]] = set()
    for meeting_id, where in sorted(locked.items()):
        if meeting_id not in index_of or where.start not in slot_index:
            raise ValueError(f"locked meeting {meeting_id}: unknown meeting or slot")
        m, s = index_of[meeting_id], slot_index[where.start]
        u, v = engine.ends[m]
        if not 1 <= where.table <= slots[s].tables or (s, where.table) in taken:
            raise ValueError(f"locked meeting {meeting_id}: table {where.table} is not free in that slot")
        if s in engine.busy[u] or s in engine.busy[v]:
            raise ValueError(f"locked meeting {meeting_id}: a participant is already locked in that slot")
        engine.lock(m, s)
        taken.add((s, where.table))
        tables[m] = where.table
    return tables


def _improve(engine: Engine, depth: int, budget: int) -> None:
    """Augmenting paths, then rounds of the plateau search (which also finds a meeting for people left
    with none), each followed by augmenting paths again, then the exact stage if still short of the bound.
    The search's work is bounded by counts, never by time; HiGHS is deterministic too, but its time
    limits (exact.py) are reached on some 200-person hard shapes and on a loaded machine: then the best
    schedule found so far stands, and it can differ from one machine to another."""
    size = len(engine.ends)
    small = size <= SMALL_EVENT
    usable = [bool(engine.avail[u] & engine.avail[v]) for u, v in engine.ends]  # (slots full now count)
    engine.ceiling = min(engine.ceiling, b_matching_bound(engine.ends, engine.most, usable))
    tightened = False
    moves = min((SMALL_MOVES_PER_MEETING if small else MOVES_PER_MEETING) * size, MOVE_WORK // max(size, 1))
    rounds = SMALL_ROUNDS if small else IMPROVE_ROUNDS
    engine.walk_steps = WALK_STEPS if small else 0
    engine.walk_left = WALK_WORK_PER_MEETING * size if small else 0
    for round_no in range(rounds + 1):
        if round_no:
            engine.improve(moves // rounds, depth, budget, STALL)
        if engine.done():
            return
        engine.augment(depth + 1, budget * 4, PATH_WORK_PER_MEETING * size)
        engine.slot_paths(PATH_WORK_PER_MEETING * size)
        if engine.done():  # the augmenting paths reached the bound: nothing left for the search
            return
        if not tightened:
            tightened = True
            found = exact.lp_ceiling(engine)  # it knows the slots: tighter than the b-matching bound
            if found is not None:
                engine.ceiling = min(engine.ceiling, found)
            if engine.done():
                return
    if _exact_stage(engine) and engine.zeros:  # more meetings; someone may have lost their one
        engine.improve(moves // rounds, depth, budget, STALL)


def _exact_stage(engine: Engine) -> bool:
    """The search is short of the bound: the integer solver, on the whole event if small, else on the
    neighbourhoods where the LP relaxation disagrees with the schedule. Returns whether it placed more."""
    if engine.placed >= engine.ceiling:
        return False
    if exact.columns_needed(engine) <= exact.WHOLE_COLUMNS:
        return exact.improve_exactly(engine, engine.ceiling)
    relaxation = exact.relax(engine)  # the LP's values (only locked meetings are fixed in it)
    return relaxation is not None and exact.follow_relaxation(engine, relaxation) > 0


def _finish(engine: Engine) -> None:
    """Compact people's days, then place what the compaction made room for."""
    engine.compact()
    for m in range(len(engine.ends)):
        if engine.slot_of[m] < 0:
            engine.insert(m, 0, 0)


def _place_all(engine: Engine, depth: int, budget: int) -> None:
    """Most constrained meetings first, then rounds of ejection-chain repair for what is left."""
    degree = [0] * len(engine.avail)
    for u, v in engine.ends:
        degree[u] += 1
        degree[v] += 1

    def difficulty(m: int) -> tuple[int, int, int]:
        u, v = engine.ends[m]
        return ((engine.avail[u] & engine.avail[v]).bit_count(), -(degree[u] + degree[v]), m)

    todo = sorted((m for m in range(len(engine.ends)) if engine.slot_of[m] < 0), key=difficulty)
    for m in todo:
        if not engine.saturated(m):
            engine.insert(m, depth, budget)
    for round_no in range(1, REPAIR_ROUNDS + 1):
        # A meeting with a side at the most meetings it can have goes in only in the stead of one of
        # theirs: left to the augmenting passes, which try exactly that (and cost far less here).
        left = [m for m in todo if engine.slot_of[m] < 0 and not engine.saturated(m)]
        placed_any = False
        for m in left:
            placed_any |= engine.insert(m, depth + round_no, budget << round_no)
        if not placed_any:
            break


def _assign_tables(
    engine: Engine, slots: Sequence[Slot], ordered: Sequence[MeetingToPlace], locked_tables: dict[int, int]
) -> dict[int, Placement]:
    """Locked meetings keep their table; others take a side's table of the previous slot if free, else
    the lowest free one."""
    table_of = dict(locked_tables)
    person_table: dict[int, int] = {}  # table each person sat at in the previous slot of the session
    for s, slot in enumerate(slots):
        if s and slots[s - 1].session != slot.session:
            person_table = {}
        here = sorted(engine.in_slot[s])
        used = {table_of[m] for m in here if m in table_of}
        for m in here:
            if m in table_of:
                continue
            for p in engine.ends[m]:
                t = person_table.get(p)
                if t is not None and t not in used:
                    break
            else:
                t = next(t for t in range(1, slot.tables + 1) if t not in used)
            table_of[m] = t
            used.add(t)
        person_table = {p: table_of[m] for m in here for p in engine.ends[m]}
    return {
        ordered[m].id: Placement(start=slots[engine.slot_of[m]].start, table=table_of[m])
        for m in sorted(table_of)
    }


def _why_unplaced(engine: Engine, m: int, meeting: MeetingToPlace, slots: Sequence[Slot]) -> Unplaced:
    u, v = engine.ends[m]
    for side, person in ((u, meeting.a), (v, meeting.b)):
        if engine.load[side] >= engine.caps[side] and engine.load[side] < len(slots):
            return Unplaced(
                UnplacedReason.CAP_REACHED,
                f"participant {person} has reached the cap of {engine.caps[side]} meetings",
            )
    no_meeting = ~engine.booked[u] & ~engine.booked[v] & ((1 << len(slots)) - 1)
    if not no_meeting:
        return Unplaced(
            UnplacedReason.NO_COMMON_FREE_SLOT,
            f"participants {meeting.a} and {meeting.b} have no slot free of other meetings in common",
        )
    free = no_meeting & engine.avail[u] & engine.avail[v]
    if free and not free & ~engine.full[u] & ~engine.full[v]:
        return Unplaced(
            UnplacedReason.SESSION_CAP_REACHED,
            f"participants {meeting.a} and {meeting.b} are free together only in sessions where one of"
            " them has reached the session's cap",
        )
    if not free:
        for side, person in ((u, meeting.a), (v, meeting.b)):
            if not no_meeting & engine.avail[side]:
                return Unplaced(
                    UnplacedReason.UNAVAILABLE,
                    f"participant {person} is unavailable in every common free slot",
                )
        return Unplaced(
            UnplacedReason.UNAVAILABLE,
            f"participants {meeting.a} and {meeting.b} are unavailable at different times"
            " in their common free slots",
        )
    return Unplaced(
        UnplacedReason.NO_TABLE_FREE, "every table is taken in each slot where both participants are free"
    )
