"""The scheduler's exact stage (meetings/exact.py): the LP bound, and HiGHS closing what the search missed."""

from __future__ import annotations

from benchmarks.scheduling_hard import hard_instance
from move_events.meetings import exact
from move_events.meetings.bounds import b_matching_bound
from move_events.meetings.placement import Engine
from move_events.meetings.scheduling import build_schedule


def engine_for(slots: int, ends: list[tuple[int, int]], people: int, tables: int = 9) -> Engine:
    return Engine(
        tables=[tables] * slots,
        session_masks=[(1 << slots) - 1],
        ends=ends,
        avail=[(1 << slots) - 1] * people,
        caps=[slots + 1] * people,
        seed=0,
    )


def test_the_lp_ceiling_knows_the_slots_where_the_b_matching_bound_does_not():
    # Amina (0) has two slots and requests with Bruno (1) and Chen (2), who are both free only in the
    # first: the b-matching bound counts two meetings, but Amina can meet only one of them there.
    engine = engine_for(2, [(0, 1), (0, 2)], 3)
    engine.avail[1] = engine.avail[2] = 0b01
    engine.most[1] = engine.most[2] = 1
    assert b_matching_bound(engine.ends, engine.most, [True] * 2) == 2
    assert exact.lp_ceiling(engine) == exact.relax(engine).ceiling == 1  # both LP methods


def test_improve_exactly_replaces_a_stuck_schedule_by_a_larger_one():
    # Path 0-1-2-3 in one slot: placing only the middle meeting blocks both others.
    engine = engine_for(1, [(0, 1), (1, 2), (2, 3)], 4)
    engine.place(1, 0)
    assert exact.improve_exactly(engine, ceiling=2)
    assert sorted(m for m, s in enumerate(engine.slot_of) if s >= 0) == [0, 2]
    assert not exact.improve_exactly(engine, ceiling=2)  # already optimal: nothing changes


def test_follow_relaxation_frees_where_the_lp_disagrees_and_solves_there():
    # The same stuck path: the LP puts the two outer meetings in the slot and not the middle one.
    engine = engine_for(1, [(0, 1), (1, 2), (2, 3)], 4)
    engine.place(1, 0)
    relaxation = exact.relax(engine)
    assert relaxation == exact.Relaxation(ceiling=2, values={(0, 0): 1.0, (2, 0): 1.0})
    assert exact.follow_relaxation(engine, relaxation) == 1
    assert sorted(m for m, s in enumerate(engine.slot_of) if s >= 0) == [0, 2]


def test_follow_relaxation_leaves_alone_what_the_lp_agrees_with():
    # Two separate stuck paths; the (hand-made) LP values disagree with the schedule only on the
    # first, so only the first is freed and solved: the second keeps its single middle meeting.
    engine = engine_for(1, [(0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (6, 7)], 8)
    engine.place(1, 0)
    engine.place(4, 0)
    values = {(0, 0): 1.0, (2, 0): 1.0, (4, 0): 1.0}
    assert exact.follow_relaxation(engine, exact.Relaxation(ceiling=4, values=values), gaps=(0.5,)) == 1
    assert [s >= 0 for s in engine.slot_of] == [True, False, True, False, True, False]


def test_locked_meetings_stay_and_count():
    engine = engine_for(1, [(0, 1), (1, 2), (2, 3)], 4)
    engine.lock(1, 0)
    assert exact.relax(engine).ceiling == 1
    assert not exact.improve_exactly(engine, ceiling=1)
    assert engine.slot_of == [-1, 0, -1]


def test_a_small_hard_instance_reaches_the_optimum():
    """40 people, 200 requests, 8 slots: the search alone placed 73 here; the LP bound (and CP-SAT)
    say 74, and the exact stage finds it."""
    inst = hard_instance(40, 200, 8, 20, seed=44, blocks=True)
    schedule = build_schedule(inst.slots, inst.meetings, unavailable=inst.unavailable, caps=inst.caps)
    assert schedule.stats.placed == 74


def test_a_120_person_hard_instance_reaches_the_optimum():
    """120 people, 700 requests, 12 slots, scattered unavailability: the search alone ends at 262, one
    short of the LP bound (CP-SAT's optimum too); the relaxation-induced neighbourhoods find 263."""
    inst = hard_instance(120, 700, 12, 40, seed=122, blocks=False)
    schedule = build_schedule(inst.slots, inst.meetings, unavailable=inst.unavailable, caps=inst.caps)
    assert schedule.stats.placed == 263
