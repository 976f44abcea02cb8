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
  the search could not find on small events (a 40-person instance: 73 of 74 by the search, 74 in 0.04 s);
- on larger ones (a whole 120-person event takes HiGHS 2-20 s, nearly all of it in root cuts that do
  not move the bound) it is solved only where the LP relaxation and the schedule disagree
  (``follow_relaxation``): a few hundred meetings, everything else fixed. On 48 hard 120-person runs
  the search alone ended one or two short of the optimum in 18; this found the optimum in all of them.

HiGHS runs single-threaded with a fixed seed, so a solve that ends (optimal, or proven within one
meeting) gives the same schedule every time; the time limit is a safety net for large or odd instances,
where the search's schedule is kept if HiGHS found nothing better in time. Pure functions on
``placement.Engine``'s state; nothing here knows Flask.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from move_events.meetings.augmenting import _bits

LP_COLUMNS = 10_000  # largest model whose LP bound is worth its time (simplex: 0.1-0.6 s at ~4,500
# columns, 16-27 s at 500 people / 2,500 meetings, ~24,000 columns, where the search reaches its bound
# anyway; the interior point method: 0.1-0.4 s up to ~5,000 columns)
WHOLE_COLUMNS = 2_500  # largest model solved whole (40 people, 200 meetings, 8 slots: ~800 columns)
MIP_SECONDS = 8.0  # safety net on one integer solve; the search's schedule stands if it runs out
GAPS = (0.6, 0.5, 0.4, 0.3, 0.2)  # neighbourhoods of follow_relaxation, narrowest first ...
RINS_SECONDS = 6.0  # ... all of them within this safety net (120 people: 0.03-3.3 s in all, measured)


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


@dataclass(frozen=True)
class Relaxation:
    """The LP relaxation's answer: ``ceiling`` bounds every schedule (locked meetings included);
    ``values`` maps (meeting, slot) to its LP value, the columns left out being 0. It does not depend on
    the search's schedule (only locked meetings are fixed in it), so one solve serves the whole run."""

    ceiling: int
    values: dict[tuple[int, int], float]


def lp_ceiling(engine) -> int | None:
    """Most meetings any schedule can have (locked ones included): the floor of the LP relaxation,
    solved by the interior point method with crossover (2-5x the simplex method's speed on these
    models, the same optimum). None when the model is too large to be worth it or the LP solver did
    not finish."""
    solved = _solve_lp(engine, "ipm")
    return None if solved is None else solved.ceiling


def relax(engine) -> Relaxation | None:
    """The LP relaxation with its values, by the simplex method: its vertex guided
    ``follow_relaxation`` better than the interior point method's (equally optimal) one. None as for
    ``lp_ceiling``."""
    return _solve_lp(engine, "simplex")


def _solve_lp(engine, method: str) -> Relaxation | None:
    if columns_needed(engine) > LP_COLUMNS:
        return None
    model = _build(engine)
    locked = sum(engine.locked)
    if not model.columns:
        return Relaxation(locked, {})
    highs = _highs(model, integer=False, seed=0)
    highs.setOptionValue("solver", method)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = highs.getSolution().col_value
    ceiling = locked + math.floor(highs.getInfo().objective_function_value + 1e-6)
    kept = {column: x for column, x in zip(model.columns, values, strict=True) if x > 1e-9}
    return Relaxation(ceiling, kept)


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
    engine.replace(moving, chosen)
    return True


def _fits(model: _Model, values) -> bool:
    """The solver's point keeps every row (never trust a floating-point answer blindly)."""
    return all(sum(values[c] > 0.5 for c in cols) <= room for cols, room in model.rows)


def follow_relaxation(
    engine, relaxation: Relaxation, gaps: tuple[float, ...] = GAPS, seconds: float = RINS_SECONDS
) -> int:
    """Relaxation-induced neighbourhoods (RINS, with a ladder of widths): for each ``gap`` in turn, free
    the meetings where the LP and the schedule disagree by more than ``gap`` (the LP puts more than
    ``gap`` of the meeting in a slot it is not in, or less than 1 - ``gap`` in the slot it is in), fix
    all the others, and solve exactly; stops at the relaxation's ceiling. Where the LP and the schedule
    agree the optimum nearly always does too, so the missing meeting is found among a few hundred
    meetings in a fraction of the time a whole-event solve takes; the narrow neighbourhoods come first
    because they are usually solved (or found to hold nothing better) in hundredths of a second. Returns how
    many meetings it added. ``seconds`` is shared by the solves: a safety net, as in improve_exactly."""
    placed_before, ceiling = engine.placed, min(engine.ceiling, relaxation.ceiling)
    deadline = time.perf_counter() + seconds
    for gap in gaps:
        left = deadline - time.perf_counter()
        if engine.placed >= ceiling or left <= 0:
            break
        free = {m for (m, s), x in relaxation.values.items() if x > gap and engine.slot_of[m] != s}
        free |= {
            m
            for m, s in enumerate(engine.slot_of)
            if s >= 0 and not engine.locked[m] and relaxation.values.get((m, s), 0.0) < 1 - gap
        }
        if free:
            improve_exactly(engine, ceiling, free, seconds=left)
    return engine.placed - placed_before
