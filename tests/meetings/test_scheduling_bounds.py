"""The scheduler's stopping bound (meetings/bounds.py): never below what a schedule can place, and equal
to the optimum where slots do not bind, so the search can stop there."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from benchmarks.scheduling import brokerage_instance
from move_events.meetings.bounds import b_matching_bound
from move_events.meetings.placement import Engine
from move_events.meetings.scheduling import build_schedule
from tests.meetings.test_scheduling_fairness import every_schedule, tiny_events


def test_a_triangle_of_people_with_one_meeting_each_bounds_at_one():
    # Fractionally each of the three meetings half placed: 1.5, so 1.
    assert b_matching_bound([(0, 1), (1, 2), (0, 2)], [1, 1, 1], [True] * 3) == 1


def test_a_popular_person_bounds_the_meetings_around_them():
    # P (0) can meet twice; five people ask P only, X (6) and Y (7) also meet each other.
    ends = [(0, p) for p in range(1, 6)] + [(6, 7)]
    assert b_matching_bound(ends, [2, 3, 3, 3, 3, 3, 3, 3], [True] * 6) == 3


def test_unusable_meetings_and_people_who_cannot_meet_count_for_nothing():
    ends = [(0, 1), (1, 2), (2, 3)]
    assert b_matching_bound(ends, [1, 2, 0, 1], [True, True, True]) == 1  # only 0-1: 2 has no room
    assert b_matching_bound(ends, [1, 2, 2, 1], [False, True, True]) == 2


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_events())
def test_the_bound_is_never_below_the_best_schedule(event):
    slots, meetings, unavailable = event
    best = max(len(s) for s in every_schedule(slots, meetings, unavailable))
    starts = {s.start for s in slots}
    people = 1 + max((p for m in meetings for p in (m.a, m.b)), default=0)
    free = [len(starts - unavailable.get(p, set())) for p in range(people)]
    usable = [bool(starts - unavailable.get(m.a, set()) - unavailable.get(m.b, set())) for m in meetings]
    assert b_matching_bound([(m.a, m.b) for m in meetings], free, usable) >= best


def test_the_search_stops_once_it_reaches_the_bound(monkeypatch):
    # The benchmark's 50-person brokerage event: half the person-slots on offer allow 238 meetings, but
    # the b-matching bound (227) is the optimum. Once 227 are placed with nobody at zero, the plateau
    # search (Engine.improve) has nothing to find and is never started (it used to spend its whole
    # budget, 3.4 s, proving that).
    calls = []
    monkeypatch.setattr(Engine, "improve", lambda self, *args: calls.append(args))
    event = brokerage_instance(50, seed=1 + 50, scarce_tables=False)  # as `--sizes 50`
    schedule = build_schedule(event.slots, event.meetings, unavailable=event.unavailable, caps=event.caps)
    assert schedule.stats.placed == 227
    assert calls == []
