"""Meeting-scheduler benchmark on the hard shapes of issue #14: quality, fairness and time, under relabelling.

Run: ``.venv/bin/python -m benchmarks.scheduling_hard [--shapes NAME,...] [--relabel K] [--exact]
[--cp-seconds S] [--no-lp] [--seed N | --seeds A-B]``; a shape is one of SHAPES or any "P/R/S/T".
Needs OR-Tools for the bounds (``pip install -e '.[bench]'``).
Never run by the test suite.

A shape "P/R/S/T" is P participants, R requested (accepted) meetings, S slots (two sessions of S/2) and
T tables per slot. Hard shapes add, for every participant, 30–50% of the slots unavailable (scattered
at random, or in one or two blocks of consecutive slots), and a personal cap of 1–5 meetings for half of
the participants. "popular" is the 2,000-participant brokerage instance of ``benchmarks.scheduling``
plus a few very popular participants with hundreds of requests each.

Per instance: the proven bound (LP, b-matching, naive; CP-SAT's with ``--exact``, "optimum" when CP-SAT
finds a schedule as large), first-fit, the scheduler's placed meetings, % of the bound and time, and
fairness: people with a placeable request (a request with a slot both sides are available in, neither
capped at 0) left with no meeting, and the smallest and 10th-percentile share (placed / requested) over
those people. ``--relabel K`` also runs K random relabellings (people and meeting ids permuted, same
instance) and gives min–max of each figure over the K + 1 runs.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import datetime, timedelta

from benchmarks.scheduling import DAY, Instance, bounds, brokerage_instance, first_fit, open_slots
from move_events.meetings.scheduling import MeetingToPlace, build_schedule, slots_for_sessions

SHAPES = {
    # name: (participants, meetings, slots, tables)
    "40/200/8/20": (40, 200, 8, 20),
    "120/700/12/40": (120, 700, 12, 40),
    "500/2500/16/120": (500, 2500, 16, 120),
}


def hard_instance(
    participants: int, requests: int, n_slots: int, tables: int, *, seed: int, blocks: bool
) -> Instance:
    """P participants, R distinct requests (one side uniform, the other skewed towards popular people),
    S slots in two sessions, T tables; each participant unavailable for 30–50% of the slots (scattered,
    or in one or two blocks); half of them capped at 1–5 meetings."""
    rng = random.Random(seed)
    half = n_slots // 2
    sessions = [(DAY.replace(hour=8), DAY.replace(hour=8) + timedelta(minutes=25 * half))]
    sessions.append((DAY.replace(hour=14), DAY.replace(hour=14) + timedelta(minutes=25 * (n_slots - half))))
    slots = slots_for_sessions(sessions, 20, 5, tables)
    weights = [1 / (rank + 5) ** 0.8 for rank in range(participants)]
    rng.shuffle(weights)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < requests:
        a = rng.randrange(participants)
        b = rng.choices(range(participants), weights)[0]
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    meetings = [MeetingToPlace(id=i + 1, a=a, b=b) for i, (a, b) in enumerate(sorted(pairs))]
    unavailable: dict[int, set[datetime]] = {}
    for p in range(participants):
        away = round(n_slots * rng.uniform(0.3, 0.5))
        if blocks:
            first_len = rng.randint(1, away) if rng.random() < 0.5 else away
            cut = set(range(start := rng.randrange(n_slots - first_len + 1), start + first_len))
            while len(cut) < away:  # the rest as a second block, next to a free slot
                start = rng.randrange(n_slots)
                cut |= set(range(start, min(n_slots, start + away - len(cut))))
        else:
            cut = set(rng.sample(range(n_slots), away))
        unavailable[p] = {slots[s].start for s in cut}
    caps = {p: rng.randint(1, 5) for p in rng.sample(range(participants), participants // 2)}
    kind = "blocks" if blocks else "scattered"
    name = f"{participants}/{requests}/{n_slots}/{tables}, 30–50% away ({kind}), caps 1–5 for half"
    return Instance(name, slots, meetings, unavailable, caps)


def popular_instance(seed: int, *, stars: int = 5, each: int = 300, scarce: bool = False) -> Instance:
    """The 2,000-participant brokerage instance plus ``stars`` participants with ``each`` more requests."""
    base = brokerage_instance(2000, seed=seed + 2000, scarce_tables=scarce)
    rng = random.Random(seed)
    pairs = {(m.a, m.b) for m in base.meetings}
    next_id = max(m.id for m in base.meetings) + 1
    meetings = list(base.meetings)
    for star in rng.sample(range(2000), stars):
        added = 0
        while added < each:
            other = rng.randrange(2000)
            pair = (min(star, other), max(star, other))
            if other != star and pair not in pairs:
                pairs.add(pair)
                meetings.append(MeetingToPlace(id=next_id, a=pair[0], b=pair[1]))
                next_id, added = next_id + 1, added + 1
    name = f"2000 people + {stars} with {each} requests each, {'scarce' if scarce else 'enough'} tables"
    return Instance(name, base.slots, meetings, base.unavailable, base.caps)


def relabelled(inst: Instance, rng: random.Random) -> Instance:
    """The same instance with people and meeting ids permuted (and the meetings listed in a new order)."""
    people = sorted({p for m in inst.meetings for p in (m.a, m.b)} | set(inst.unavailable) | set(inst.caps))
    new = dict(zip(people, rng.sample(people, len(people)), strict=True))
    ids = rng.sample(range(1, len(inst.meetings) + 1), len(inst.meetings))
    meetings = [MeetingToPlace(id=i, a=new[m.a], b=new[m.b]) for i, m in zip(ids, inst.meetings, strict=True)]
    rng.shuffle(meetings)
    return Instance(
        inst.name,
        inst.slots,
        meetings,
        {new[p]: s for p, s in inst.unavailable.items()},
        {new[p]: c for p, c in inst.caps.items()},
    )


def fairness(inst: Instance, placed_ids: set[int]) -> tuple[int, float, float]:
    """(people with a placeable request and no meeting, smallest share, 10th-percentile share) over the
    people with a placeable request; share = their placed meetings / their requests."""
    requested: Counter[int] = Counter()
    placed: Counter[int] = Counter()
    placeable: set[int] = set()
    for m in inst.meetings:
        requested.update((m.a, m.b))
        if m.id in placed_ids:
            placed.update((m.a, m.b))
        if inst.caps.get(m.a, 1) > 0 and inst.caps.get(m.b, 1) > 0 and open_slots(inst, m):
            placeable.update((m.a, m.b))
    shares = sorted(placed[p] / requested[p] for p in placeable)
    zeros = sum(1 for p in placeable if not placed[p])
    p10 = shares[len(shares) // 10] if shares else 1.0
    return zeros, (shares[0] if shares else 1.0), p10


def run(inst: Instance) -> tuple[int, float, tuple[int, float, float]]:
    began = time.perf_counter()
    result = build_schedule(inst.slots, inst.meetings, unavailable=inst.unavailable, caps=inst.caps)
    took = time.perf_counter() - began
    return result.stats.placed, took, fairness(inst, set(result.placements))


def span(values: list[float], fmt: str) -> str:
    low, high = min(values), max(values)
    return format(low, fmt) if low == high else f"{format(low, fmt)}–{format(high, fmt)}"


def table_row(inst: Instance, args: argparse.Namespace, seed: int, summary: list) -> str:
    ff = len(first_fit(inst.slots, inst.meetings, inst.unavailable, inst.caps))
    rng = random.Random(seed)
    runs = [run(inst)] + [run(relabelled(inst, rng)) for _ in range(args.relabel)]
    proven, _lp_took, found = bounds(inst, args)
    kind = min(proven, key=proven.__getitem__)
    ref = proven[kind]
    summary += [(r[0], ref, r[1]) for r in runs]
    ref_text = f"{ref} (optimum)" if found == ref else f"{ref} ({kind})"
    placed = [r[0] for r in runs]
    cells = [
        inst.name,
        len(inst.meetings),
        ref_text,
        f"{ff} ({100 * ff / ref:.1f}%)",
        span(placed, "d"),
        span([100 * p / ref for p in placed], ".2f") + "%",
        span([r[1] for r in runs], ".2f") + " s",
        span([r[2][0] for r in runs], "d"),
        span([r[2][1] for r in runs], ".2f"),
        span([r[2][2] for r in runs], ".2f"),
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def instances(names: list[str], seed: int) -> list[Instance]:
    out = []
    for name in names:
        if name == "popular":
            out += [popular_instance(seed), popular_instance(seed, scarce=True)]
        else:  # one of SHAPES, or any other "P/R/S/T"
            p, r, s, t = SHAPES.get(name) or tuple(int(n) for n in name.split("/"))
            out += [hard_instance(p, r, s, t, seed=seed + p, blocks=b) for b in (False, True)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join([*SHAPES, "popular"]))
    parser.add_argument("--relabel", type=int, default=0, metavar="K", help="K random relabellings too")
    parser.add_argument("--exact", action="store_true", help="compare with OR-Tools CP-SAT")
    parser.add_argument("--cp-seconds", type=float, default=30.0)
    lp_help = "the b-matching and LP bounds (OR-Tools)"
    parser.add_argument("--lp", action=argparse.BooleanOptionalAction, default=True, help=lp_help)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", metavar="A-B", help="every seed from A to B (instead of --seed)")
    args = parser.parse_args()
    first, _dash, last = (args.seeds or str(args.seed)).partition("-")
    seeds = range(int(first), int(last or first) + 1)
    summary: list[tuple[int, int, float]] = []  # (placed, reference, seconds) of every run
    print(
        "| instance | meetings | reference | first-fit | scheduler | % of reference | time"
        " | at zero | min share | p10 share |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for seed in seeds:
        for inst in instances(args.shapes.split(","), seed):
            print(table_row(inst, args, seed, summary), flush=True)
    at_ref = sum(placed == ref for placed, ref, _took in summary)
    worst = min(100 * placed / ref for placed, ref, _took in summary)
    took = [t for _placed, _ref, t in summary]
    print(
        f"\n{len(summary)} runs: {at_ref} at the reference, worst {worst:.2f}% of it,"
        f" {min(took):.2f}–{max(took):.2f} s (median {sorted(took)[len(took) // 2]:.2f} s)"
    )


if __name__ == "__main__":
    main()
