"""Meeting-scheduler benchmark: placed meetings against the exact optimum or a proven bound, and time.

Run: ``.venv/bin/python -m benchmarks.scheduling [--sizes 50,500,2000] [--exact] [--cp-seconds 60]``.
``--exact`` needs OR-Tools (``pip install -e '.[bench]'``). Never run by the test suite.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from move_events.meetings.scheduling import (
    MeetingToPlace,
    Placement,
    Slot,
    build_schedule,
    slots_for_sessions,
)

DAY = datetime(2026, 3, 10, tzinfo=UTC)


@dataclass(frozen=True)
class Instance:
    name: str
    slots: list[Slot]
    meetings: list[MeetingToPlace]
    unavailable: dict[int, set[datetime]]
    caps: dict[int, int]


def brokerage_instance(participants: int, *, seed: int, scarce_tables: bool) -> Instance:
    """A seeded event shaped like a brokerage day: 16 slots in two sessions, a few very popular
    participants, most with a handful of requests, ~12% unavailable for part of a session."""
    rng = random.Random(seed)
    sessions = [
        (DAY.replace(hour=9), DAY.replace(hour=12, minute=20)),
        (DAY.replace(hour=14), DAY.replace(hour=17, minute=20)),
    ]
    target = 5 * participants  # 10,000 meetings at 2,000 participants
    weights = [1 / (rank + 20) ** 1.2 for rank in range(participants)]
    rng.shuffle(weights)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < target:
        a = rng.randrange(participants)
        b = rng.choices(range(participants), weights)[0]
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    meetings = [MeetingToPlace(id=i + 1, a=a, b=b) for i, (a, b) in enumerate(sorted(pairs))]
    tables = math.ceil(target / 16 * (0.8 if scarce_tables else 1.5))
    slots = slots_for_sessions(sessions, 20, 5, tables)
    unavailable: dict[int, set[datetime]] = {}
    for p in rng.sample(range(participants), participants * 12 // 100):
        first = rng.randrange(len(slots))
        unavailable[p] = {slot.start for slot in slots[first : first + rng.randint(2, 6)]}
    caps = {p: rng.randint(4, 10) for p in rng.sample(range(participants), participants // 20)}
    kind = "scarce tables" if scarce_tables else "enough tables"
    return Instance(f"{participants} people, {kind}", slots, meetings, unavailable, caps)


def first_fit(
    slots: list[Slot],
    meetings: list[MeetingToPlace],
    unavailable: dict[int, set[datetime]] | None = None,
    caps: dict[int, int] | None = None,
    locked: dict[int, Placement] | None = None,
) -> dict[int, datetime]:
    """The baseline: meetings in id order, each in the earliest slot free for both with a table left."""
    unavailable, caps, locked = unavailable or {}, caps or {}, locked or {}
    busy: set[tuple[int, datetime]] = set()
    count: dict[datetime, int] = {}
    load: dict[int, int] = {}
    placed: dict[int, datetime] = {}
    ordered = sorted(meetings, key=lambda m: m.id)
    by_id = {m.id: m for m in ordered}
    for meeting_id, where in locked.items():
        m = by_id[meeting_id]
        placed[m.id] = where.start
        count[where.start] = count.get(where.start, 0) + 1
        for p in (m.a, m.b):
            busy.add((p, where.start))
            load[p] = load.get(p, 0) + 1
    for m in ordered:
        if m.id in placed or any(load.get(p, 0) >= caps.get(p, len(slots)) for p in (m.a, m.b)):
            continue
        for slot in slots:
            if count.get(slot.start, 0) >= slot.tables:
                continue
            if any((p, slot.start) in busy or slot.start in unavailable.get(p, ()) for p in (m.a, m.b)):
                continue
            placed[m.id] = slot.start
            count[slot.start] = count.get(slot.start, 0) + 1
            for p in (m.a, m.b):
                busy.add((p, slot.start))
                load[p] = load.get(p, 0) + 1
            break
    return placed


def naive_bound(inst: Instance) -> int:
    """Each meeting uses two person-slots: half the person-slots on offer, and no more than the tables."""
    degree: dict[int, int] = {}
    for m in inst.meetings:
        for p in (m.a, m.b):
            degree[p] = degree.get(p, 0) + 1
    offer = sum(
        min(d, len(inst.slots) - len(inst.unavailable.get(p, ())), inst.caps.get(p, len(inst.slots)))
        for p, d in degree.items()
    )
    return min(len(inst.meetings), offer // 2, sum(s.tables for s in inst.slots))


def cp_sat(inst: Instance, seconds: float, workers: int = 2) -> tuple[int, int, bool]:
    """Maximise placed meetings with OR-Tools CP-SAT: (best found, proven upper bound, proven optimal)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    per_person_slot: dict[tuple[int, int], list] = {}
    per_slot: dict[int, list] = {}
    per_person: dict[int, list] = {}
    objective = []
    for m in inst.meetings:
        choices = []
        for s, slot in enumerate(inst.slots):
            if slot.start in inst.unavailable.get(m.a, ()) or slot.start in inst.unavailable.get(m.b, ()):
                continue
            x = model.new_bool_var("")
            choices.append(x)
            per_slot.setdefault(s, []).append(x)
            for p in (m.a, m.b):
                per_person_slot.setdefault((p, s), []).append(x)
                per_person.setdefault(p, []).append(x)
        if choices:
            model.add_at_most_one(choices)
            objective.extend(choices)
    for xs in per_person_slot.values():
        model.add_at_most_one(xs)
    for s, xs in per_slot.items():
        model.add(sum(xs) <= inst.slots[s].tables)
    for p, cap in inst.caps.items():
        if p in per_person:
            model.add(sum(per_person[p]) <= cap)
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    found = int(solver.objective_value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0
    return found, math.floor(solver.best_objective_bound + 1e-6), status == cp_model.OPTIMAL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--exact", action="store_true", help="compare with OR-Tools CP-SAT")
    parser.add_argument("--cp-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        "| instance | meetings | naive bound | CP-SAT (best / bound) | reference | first-fit"
        " | scheduler | % of reference | time |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for size in (int(x) for x in args.sizes.split(",")):
        for scarce in (False, True):
            inst = brokerage_instance(size, seed=args.seed + size, scarce_tables=scarce)
            ff = len(first_fit(inst.slots, inst.meetings, inst.unavailable, inst.caps))
            began = time.perf_counter()
            result = build_schedule(inst.slots, inst.meetings, unavailable=inst.unavailable, caps=inst.caps)
            took = time.perf_counter() - began
            placed = result.stats.placed
            naive = naive_bound(inst)
            if args.exact:
                found, bound, optimal = cp_sat(inst, args.cp_seconds)
                # CP-SAT's bound can be weaker than the naive one on large instances: both are proven.
                ref, ref_kind = min(bound, naive), "optimum" if optimal else "best proven bound"
                cp_text = f"{found} / {bound}"
            else:
                ref, ref_kind, cp_text = naive, "naive bound", "–"
            print(
                f"| {inst.name} | {len(inst.meetings)} | {naive} | {cp_text} | {ref} ({ref_kind}) | "
                f"{ff} ({100 * ff / ref:.1f}%) | {placed} | {100 * placed / ref:.2f}% | {took:.2f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
