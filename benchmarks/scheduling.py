"""Meeting-scheduler benchmark: placed meetings against the exact optimum or a proven bound, and time.

Run: ``.venv/bin/python -m benchmarks.scheduling [--sizes 50,500,2000] [--exact] [--cp-seconds S] [--no-lp]
[--session-cap N]``.
Needs OR-Tools (``pip install -e '.[bench]'``) unless ``--no-lp`` is given without ``--exact``.
Never run by the test suite.

The reference is the best proven upper bound (or CP-SAT's optimum): the naive bound, a fractional
b-matching bound, the LP relaxation of CP-SAT's model and, with ``--exact``, CP-SAT's own bound.
Every model honours the hard rules the scheduler does: unavailability, per-person caps and, with
``--session-cap N``, a cap of N meetings per participant in each session.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections import Counter
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


def brokerage_instance(
    participants: int, *, seed: int, scarce_tables: bool, session_cap: int | None = None
) -> Instance:
    """A seeded event shaped like a brokerage day: 16 slots in two sessions, a few very popular
    participants, most with a handful of requests, ~12% unavailable for part of a session. With
    ``session_cap`` every session caps each participant at that many meetings (the rest of the instance,
    drawn from the same seed, is the same)."""
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
    slots = slots_for_sessions(sessions, 20, 5, tables, session_caps=[session_cap] * len(sessions))
    unavailable: dict[int, set[datetime]] = {}
    for p in rng.sample(range(participants), participants * 12 // 100):
        first = rng.randrange(len(slots))
        unavailable[p] = {slot.start for slot in slots[first : first + rng.randint(2, 6)]}
    caps = {p: rng.randint(4, 10) for p in rng.sample(range(participants), participants // 20)}
    kind = "scarce tables" if scarce_tables else "enough tables"
    if session_cap is not None:
        kind += f", session cap {session_cap}"
    return Instance(f"{participants} people, {kind}", slots, meetings, unavailable, caps)


def first_fit(
    slots: list[Slot],
    meetings: list[MeetingToPlace],
    unavailable: dict[int, set[datetime]] | None = None,
    caps: dict[int, int] | None = None,
    locked: dict[int, Placement] | None = None,
) -> dict[int, datetime]:
    """The baseline: meetings in id order, each in the earliest slot free for both with a table left
    (and both under their cap, and under the cap of the slot's session if it has one)."""
    unavailable, caps, locked = unavailable or {}, caps or {}, locked or {}
    busy: set[tuple[int, datetime]] = set()
    count: dict[datetime, int] = {}
    load: Counter[int] = Counter()
    in_session: Counter[tuple[int, int]] = Counter()
    placed: dict[int, datetime] = {}
    ordered = sorted(meetings, key=lambda m: m.id)
    by_id = {m.id: m for m in ordered}
    session_of = {slot.start: slot.session for slot in slots}

    def put(m: MeetingToPlace, start: datetime) -> None:
        placed[m.id] = start
        count[start] = count.get(start, 0) + 1
        for p in (m.a, m.b):
            busy.add((p, start))
            load[p] += 1
            in_session[p, session_of[start]] += 1

    for meeting_id, where in locked.items():
        put(by_id[meeting_id], where.start)
    for m in ordered:
        if m.id in placed or any(load[p] >= caps.get(p, len(slots)) for p in (m.a, m.b)):
            continue
        for slot in slots:
            if count.get(slot.start, 0) >= slot.tables:
                continue
            if any((p, slot.start) in busy or slot.start in unavailable.get(p, ()) for p in (m.a, m.b)):
                continue
            if slot.session_cap is not None and any(
                in_session[p, slot.session] >= slot.session_cap for p in (m.a, m.b)
            ):
                continue
            put(m, slot.start)
            break
    return placed


def session_caps(inst: Instance) -> dict[int, int]:
    """Session -> its cap per participant, for the sessions that have one."""
    return {slot.session: slot.session_cap for slot in inst.slots if slot.session_cap is not None}


def most_meetings(inst: Instance, p: int) -> int:
    """The most meetings ``p`` can have, slots alone: per session the smaller of its cap and the slots of
    it ``p`` is available in, summed, then no more than ``p``'s own cap.

    Every schedule respects it: ``p`` meets at most once per slot, never in an unavailable one, at most
    the session's cap within a session, and at most the personal cap in all.
    """
    away = inst.unavailable.get(p, ())
    free: Counter[int] = Counter(slot.session for slot in inst.slots if slot.start not in away)
    caps = session_caps(inst)
    per_sessions = sum(min(n, caps.get(k, n)) for k, n in free.items())
    return min(per_sessions, inst.caps.get(p, len(inst.slots)))


def naive_bound(inst: Instance) -> int:
    """Each meeting uses two person-slots: half the person-slots on offer, and no more than the tables.

    A person offers at most min(requests, ``most_meetings``): a valid bound with session caps too, since
    ``most_meetings`` already takes each session's cap into account.
    """
    degree: Counter[int] = Counter(p for m in inst.meetings for p in (m.a, m.b))
    offer = sum(min(d, most_meetings(inst, p)) for p, d in degree.items())
    return min(len(inst.meetings), offer // 2, sum(s.tables for s in inst.slots))


def open_slots(inst: Instance, m: MeetingToPlace) -> list[int]:
    """Indices of the slots where both sides of ``m`` are available: the only slots a model lets it take."""
    return [
        s
        for s, slot in enumerate(inst.slots)
        if slot.start not in inst.unavailable.get(m.a, ()) and slot.start not in inst.unavailable.get(m.b, ())
    ]


def matching_bound(inst: Instance) -> int:
    """The fractional b-matching bound: forget the slots, let each meeting be placed up to once and each
    person p take part in at most b(p) of them, capped by the tables, where b(p) = ``most_meetings``
    = min(cap(p), sum over sessions of min(session cap, slots of that session p is available in)).

    Valid because every schedule is such a b-matching: a person meets at most once per available slot,
    at most the session's cap within each session and at most cap times in all. Its optimum is half the
    max flow through the bipartite double cover (source -> p on the left with capacity b(p), left a ->
    right b and left b -> right a with capacity 1 per meeting, right p -> sink with b(p)), exact in
    integers, so its floor is a bound too. It is ``lp_bound``'s LP with the slots summed out (the LP's
    rows imply each person's b(p), session caps included), hence never tighter, but it needs no floating
    point and takes milliseconds.
    """
    from ortools.graph.python import max_flow

    people = sorted({p for m in inst.meetings for p in (m.a, m.b)})
    index = {p: i for i, p in enumerate(people)}
    source, sink = 2 * len(people), 2 * len(people) + 1
    flow = max_flow.SimpleMaxFlow()
    for p, i in index.items():
        b = most_meetings(inst, p)
        flow.add_arc_with_capacity(source, i, b)
        flow.add_arc_with_capacity(len(people) + i, sink, b)
    for m in inst.meetings:
        flow.add_arc_with_capacity(index[m.a], len(people) + index[m.b], 1)
        flow.add_arc_with_capacity(index[m.b], len(people) + index[m.a], 1)
    if flow.solve(source, sink) != flow.OPTIMAL:
        raise RuntimeError("max flow failed")
    return min(flow.optimal_flow() // 2, sum(s.tables for s in inst.slots))


def lp_bound(inst: Instance) -> int:
    """The LP relaxation of ``cp_sat``'s model, solved with GLOP: x[m, s] in [0, 1] for the open slots,
    at most 1 per meeting, per person and slot, at most the tables per slot, the cap per capped person
    and the session's cap per person and capped session.

    Every schedule is a 0/1 point of this LP (it obeys each of those rows), so its optimum bounds the
    placed meetings. The bound returned is not GLOP's objective but the weak-duality bound of its duals
    y >= 0, recomputed here over every row, the session-cap rows included: for any y >= 0,
    sum_i y_i limit_i + sum_x max(0, 1 - sum of y over x's rows) bounds the LP, so tolerances in the
    solver can only make it weaker, never invalid. Implied per-person sums (at most ``most_meetings``)
    follow from the rows above and add nothing; per-slot triangle (clique) cuts were tried and did not
    move the bound on these instances, so none are added.
    """
    from ortools.linear_solver import pywraplp

    caps_of_session = session_caps(inst)
    limits: dict[tuple[str, int, int], int] = {}
    columns: list[list[tuple[str, int, int]]] = []
    for m in inst.meetings:
        for s in open_slots(inst, m):
            rows = {("meeting", m.id, 0): 1, ("slot", s, 0): inst.slots[s].tables}
            rows |= {("busy", p, s): 1 for p in (m.a, m.b)}
            rows |= {("cap", p, 0): inst.caps[p] for p in (m.a, m.b) if p in inst.caps}
            k = inst.slots[s].session
            if k in caps_of_session:
                rows |= {("session", p, k): caps_of_session[k] for p in (m.a, m.b)}
            limits |= rows
            columns.append(list(rows))
    solver = pywraplp.Solver.CreateSolver("GLOP")
    constraints = {key: solver.Constraint(-solver.infinity(), limit) for key, limit in limits.items()}
    objective = solver.Objective()
    for rows in columns:
        x = solver.NumVar(0.0, 1.0, "")
        objective.SetCoefficient(x, 1)
        for key in rows:
            constraints[key].SetCoefficient(x, 1)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("GLOP did not solve the LP relaxation to optimality")
    dual = {key: max(0.0, c.dual_value()) for key, c in constraints.items()}
    bound = sum(dual[key] * limit for key, limit in limits.items())
    bound += sum(max(0.0, 1 - sum(dual[key] for key in rows)) for rows in columns)
    return math.floor(bound + 1e-6)


def cp_sat(inst: Instance, seconds: float, workers: int = 2) -> tuple[int, int, bool]:
    """Maximise placed meetings with OR-Tools CP-SAT: (best found, proven upper bound, proven optimal).

    The model is exact: x[m, s] for the open slots, at most one slot per meeting, one meeting per person
    and slot, the tables per slot, the cap per person and the session's cap per person and session.
    Its feasible points are exactly the schedules, so the bound CP-SAT proves on it bounds them all.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    per_person_slot: dict[tuple[int, int], list] = {}
    per_slot: dict[int, list] = {}
    per_person: dict[int, list] = {}
    per_person_session: dict[tuple[int, int], list] = {}
    caps_of_session = session_caps(inst)
    objective = []
    for m in inst.meetings:
        choices = []
        for s in open_slots(inst, m):
            x = model.new_bool_var("")
            choices.append(x)
            per_slot.setdefault(s, []).append(x)
            for p in (m.a, m.b):
                per_person_slot.setdefault((p, s), []).append(x)
                per_person.setdefault(p, []).append(x)
                if inst.slots[s].session in caps_of_session:
                    per_person_session.setdefault((p, inst.slots[s].session), []).append(x)
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
    for (_p, k), xs in per_person_session.items():
        model.add(sum(xs) <= caps_of_session[k])
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    found = int(solver.objective_value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0
    return found, math.floor(solver.best_objective_bound + 1e-6), status == cp_model.OPTIMAL


def bounds(inst: Instance, args: argparse.Namespace) -> tuple[dict[str, int], float, int | None]:
    """The proven upper bounds asked for, tightest kind first, the LP's time and CP-SAT's best schedule."""
    proven: dict[str, int] = {}
    lp_took, found = 0.0, None
    if args.lp:
        began = time.perf_counter()
        proven["LP bound"] = lp_bound(inst)
        lp_took = time.perf_counter() - began
        proven["b-matching bound"] = matching_bound(inst)
    proven["naive bound"] = naive_bound(inst)
    if args.exact:
        found, proven["CP-SAT bound"], _optimal = cp_sat(inst, args.cp_seconds)
    return proven, lp_took, found


def table_row(inst: Instance, args: argparse.Namespace) -> str:
    """One instance: its bounds, the reference (the tightest bound), first-fit and the scheduler."""
    ff = len(first_fit(inst.slots, inst.meetings, inst.unavailable, inst.caps))
    began = time.perf_counter()
    result = build_schedule(inst.slots, inst.meetings, unavailable=inst.unavailable, caps=inst.caps)
    took = time.perf_counter() - began
    placed = result.stats.placed
    proven, lp_took, found = bounds(inst, args)
    kind = min(proven, key=proven.__getitem__)  # the first of equally tight bounds names it
    ref = proven[kind]
    # A schedule as large as a proven bound is optimal (CP-SAT's proven optimum is one such case).
    ref_text = f"{ref} (optimum)" if found == ref else f"{ref} ({kind})"
    lp_text = f"{proven['LP bound']} ({lp_took:.1f} s)" if args.lp else "–"
    cells = [
        inst.name,
        len(inst.meetings),
        proven["naive bound"],
        proven.get("b-matching bound", "–"),
        lp_text,
        f"{found} / {proven['CP-SAT bound']}" if args.exact else "–",
        ref_text,
        f"{ff} ({100 * ff / ref:.1f}%)",
        placed,
        f"{100 * placed / ref:.2f}%",
        f"{took:.2f} s",
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--exact", action="store_true", help="compare with OR-Tools CP-SAT")
    parser.add_argument("--cp-seconds", type=float, default=60.0)
    lp_help = "the b-matching and LP bounds (OR-Tools)"
    parser.add_argument("--lp", action=argparse.BooleanOptionalAction, default=True, help=lp_help)
    parser.add_argument("--seed", type=int, default=1)
    cap_help = "cap every session at N meetings per participant (default: no session cap)"
    parser.add_argument("--session-cap", type=int, default=None, metavar="N", help=cap_help)
    args = parser.parse_args()
    print(
        "| instance | meetings | naive bound | b-matching bound | LP bound (time) | CP-SAT (best / bound)"
        " | reference | first-fit | scheduler | % of reference | time |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for size in (int(x) for x in args.sizes.split(",")):
        for scarce in (False, True):
            inst = brokerage_instance(
                size, seed=args.seed + size, scarce_tables=scarce, session_cap=args.session_cap
            )
            print(table_row(inst, args), flush=True)


if __name__ == "__main__":
    main()
