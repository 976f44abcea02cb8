"""The scheduler's exact stage: the schedule as an integer programme, solved with HiGHS (highspy).

One binary x[m, s] per unlocked meeting m and slot s both sides are available in; at most one slot per
meeting, one meeting per person and slot, the free tables of each slot, each person's cap and their cap
within each session (locked meetings are fixed and take their share of all of these). Its feasible points
are exactly the schedules the search may return, so:

- its LP relaxation bounds every schedule: ``lp_ceiling``. On the hard brokerage shapes of issue #14 its
  floor was the optimum on all 24 instances tried (the slot-free b-matching bound of ``bounds.py`` is 1–2
  meetings too high on the shapes with blocks of unavailability), so the search can stop as soon as it
  gets there instead of spending its whole budget proving nothing more fits;
- solving it with the search's schedule as the start (``improve_exactly``) closes the last meeting or two
  the search could not find on small events (a 40-person instance: 73 of 74 by the search, 74 in 0.04 s).

HiGHS runs single-threaded with a fixed seed, so a solve that ends (optimal, or proven within one
meeting) gives the same schedule every time; the time limit is a safety net for large or odd instances,
where the search's schedule is kept if HiGHS found nothing better in time. Pure functions on
``placement.Engine``'s state; nothing here knows Flask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import highspy
import numpy as np

from move_events.meetings.augmenting import _bits

LP_COLUMNS = 10_000  # largest model whose LP bound is worth its time (0.1-0.6 s at ~4,500 columns;
# 16-27 s at 500 people / 2,500 meetings, ~24,000 columns, where the search reaches its bound anyway)
WHOLE_COLUMNS = 2_500  # largest model solved whole (40 people, 200 meetings, 8 slots: ~800 columns)
MIP_SECONDS = 8.0  # safety net on one integer solve; the search's schedule stands if it runs out
HOOD_COLUMNS = 2000  # columns of one neighbourhood of search_neighbourhoods (0.05-1.5 s to solve)
HOOD_TRIES = 20  # neighbourhoods tried ...
HOOD_SECONDS = 3.0  # ... each with this safety net (observed: 0.05-1.5 s on a quiet machine)


@dataclass
class _Model:
    """Columns (meeting, slot) and rows (column lists with an upper bound) over the unlocked meetings."""

    columns: list[tuple[int, int]] = field(default_factory=list)
    rows: list[tuple[list[int], int]] = field(default_factory=list)


def columns_needed(engine) -> int:
    """How many columns the model of ``engine``'s instance has (cheap: decides whether to build it)."""
    return sum(_columns_of(engine, m) for m in range(len(engine.ends)) if not engine.locked[m])


def _columns_of(engine, m: int) -> int:
    """Slots both sides of m are available in (its columns before other meetings are fixed)."""
    u, v = engine.ends[m]
    return (engine.avail[u] & engine.avail[v]).bit_count()


def _build(engine, free: set[int] | None = None) -> _Model:
    """The model over the meetings in ``free`` (None: every unlocked one); the others stay where they
    are and take their share of the rows."""
    fixed_busy = [0] * len(engine.avail)
    fixed_load = [0] * len(engine.avail)
    fixed_session = [[0] * len(engine.session_masks) for _ in engine.avail]
    fixed_tables = [0] * len(engine.tables)
    for m, (u, v) in enumerate(engine.ends):
        moves = not engine.locked[m] and (free is None or m in free)
        if not moves and engine.slot_of[m] >= 0:
            s = engine.slot_of[m]
            fixed_tables[s] += 1
            for p in (u, v):
                fixed_busy[p] |= 1 << s
                fixed_load[p] += 1
                fixed_session[p][engine.session_of[s]] += 1
    model = _Model()
    groups: dict[tuple, list[int]] = {}
    for m in range(len(engine.ends)) if free is None else sorted(free):
        if not engine.locked[m]:
            _add_columns(engine, model, groups, m, fixed_busy)
    _add_rows(engine, model, groups, fixed_tables, fixed_load, fixed_session)
    return model


def _add_columns(engine, model: _Model, groups: dict, m: int, fixed_busy: list[int]) -> None:
    u, v = engine.ends[m]
    for s in _bits(engine.avail[u] & engine.avail[v] & ~fixed_busy[u] & ~fixed_busy[v]):
        c = len(model.columns)
        model.columns.append((m, s))
        k = engine.session_of[s]
        keys = (("m", m), ("t", s), ("ps", u, s), ("ps", v, s), ("p", u), ("p", v), ("k", u, k), ("k", v, k))
        for key in keys:
            groups.setdefault(key, []).append(c)


def _add_rows(engine, model: _Model, groups: dict, fixed_tables, fixed_load, fixed_session) -> None:
    for key, cols in groups.items():
        kind = key[0]
        if kind in ("m", "ps"):
            room = 1
        elif kind == "t":
            room = engine.tables[key[1]] - fixed_tables[key[1]]
        elif kind == "p":
            room = engine.caps[key[1]] - fixed_load[key[1]]
        else:
            room = engine.session_caps[key[2]] - fixed_session[key[1]][key[2]]
        if len(cols) > room:  # a row that can never bind is left out
            model.rows.append((cols, max(room, 0)))


def _highs(model: _Model, *, integer: bool, seed: int) -> highspy.Highs:
    n = len(model.columns)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(model.rows)
    lp.col_cost_ = np.ones(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(len(model.rows), -highspy.kHighsInf)
    lp.row_upper_ = np.array([float(room) for _cols, room in model.rows])
    lp.sense_ = highspy.ObjSense.kMaximize
    starts = np.zeros(len(model.rows) + 1, dtype=np.int32)
    starts[1:] = np.cumsum([len(cols) for cols, _room in model.rows])
    matrix = lp.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_, matrix.num_row_ = n, len(model.rows)
    matrix.start_ = starts
    matrix.index_ = np.fromiter((c for cols, _room in model.rows for c in cols), dtype=np.int32)
    matrix.value_ = np.ones(len(matrix.index_))
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", seed)
    highs.passModel(lp)
    return highs


def lp_ceiling(engine) -> int | None:
    """Most meetings any schedule can have (locked ones included), from the LP relaxation; None when the
    model is too large to be worth it or the LP solver did not finish."""
    if columns_needed(engine) > LP_COLUMNS:
        return None
    model = _build(engine)
    locked = sum(engine.locked)
    if not model.columns:
        return locked
    highs = _highs(model, integer=False, seed=0)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return locked + math.floor(highs.getInfo().objective_function_value + 1e-6)


def improve_exactly(engine, ceiling: int, free: set[int] | None = None, seconds: float = MIP_SECONDS) -> bool:
    """Solve the integer programme over the meetings in ``free`` (None: all) from ``engine``'s schedule,
    the others fixed, and put the result in place if it has more meetings; ``ceiling`` (a proven bound)
    lets HiGHS stop once it is reached. Returns whether it did."""
    model = _build(engine, free)
    if not model.columns:
        return False
    moving = {m for m, _s in model.columns}
    before = sum(1 for m in moving if engine.slot_of[m] >= 0)
    highs = _highs(model, integer=True, seed=0)
    highs.setOptionValue("time_limit", float(seconds))
    highs.setOptionValue("mip_abs_gap", 0.9)  # the objective counts meetings: within 1 is optimal
    highs.setOptionValue("objective_target", float(before + ceiling - engine.placed))  # stop once there
    start = np.zeros(len(model.columns))
    index = {column: c for c, column in enumerate(model.columns)}
    for m in moving:
        if engine.slot_of[m] >= 0:
            start[index[(m, engine.slot_of[m])]] = 1.0
    solution = highspy.HighsSolution()
    solution.col_value = list(start)
    highs.setSolution(solution)
    highs.run()
    values = highs.getSolution().col_value
    if len(values) != len(model.columns):  # no solution at all (cannot happen with a feasible start)
        return False
    chosen = [model.columns[c] for c in range(len(model.columns)) if values[c] > 0.5]
    if len(chosen) <= before or not _fits(model, values):
        return False
    for m in moving:
        if engine.slot_of[m] >= 0:
            engine._take(m)
    for m, s in chosen:
        engine._put(m, s)
    engine.journal.clear()
    return True


def _fits(model: _Model, values) -> bool:
    """The solver's point keeps every row (never trust a floating-point answer blindly)."""
    return all(sum(values[c] > 0.5 for c in cols) <= room for cols, room in model.rows)


def search_neighbourhoods(engine, ceiling: int, tries: int = HOOD_TRIES, columns: int = HOOD_COLUMNS) -> int:
    """Large-neighbourhood search for events too large for one integer solve: ``tries`` times, take a
    waiting meeting that could be placed, grow a set of people from its two sides along their
    meetings until their meetings have about ``columns`` columns, and solve exactly for those meetings
    with everything else fixed (a missing meeting is nearly always a local knot). Stops at ``ceiling``.
    Returns how many meetings it added."""
    placed_before = engine.placed
    rng = engine.rng
    for _ in range(tries):
        if engine.placed >= ceiling:
            break
        waiting = [
            m for m, s in enumerate(engine.slot_of) if s < 0 and _short(engine, m) and _columns_of(engine, m)
        ]
        if not waiting:
            break
        free = _neighbourhood(engine, waiting[rng.randrange(len(waiting))], columns)
        improve_exactly(engine, ceiling, free, seconds=HOOD_SECONDS)
    return engine.placed - placed_before


def _short(engine, m: int) -> bool:
    """A side of m has fewer meetings than it could have: where a missing meeting can come from."""
    u, v = engine.ends[m]
    return engine.load[u] < engine.most[u] or engine.load[v] < engine.most[v]


def _neighbourhood(engine, start: int, columns: int) -> set[int]:
    """The unlocked meetings of a set of people grown at random from ``start``'s two sides along their
    meetings (placed or waiting), until those meetings have about ``columns`` columns."""
    rng = engine.rng
    seen: set[int] = set()
    free: set[int] = set()
    size = 0

    def take(q: int) -> None:
        nonlocal size
        seen.add(q)
        for m in sorted([*engine.busy[q].values(), *engine.waiting[q]]):
            if m not in free and not engine.locked[m]:
                free.add(m)
                size += _columns_of(engine, m)

    for q in engine.ends[start]:
        take(q)
    frontier = sorted({x for m in free for x in engine.ends[m]} - seen)
    while size < columns and frontier:
        take(frontier.pop(rng.randrange(len(frontier))))
        frontier = sorted({x for m in free for x in engine.ends[m]} - seen)
    return free
