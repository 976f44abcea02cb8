"""Organiser services: the filtered list, arranged meetings, lock / move / unschedule / notes, and the
scheduler run written in bulk, with its conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from move_events.extensions import db as _db
from move_events.meetings import scheduler_run
from move_events.meetings.booking import MeetingError, SlotTaken, event_slots, place_meeting
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus, Unavailability
from move_events.meetings.planning import (
    MeetingFilters,
    PlanningError,
    arrange_meeting,
    filtered_meetings,
    meeting_status_counts,
    move_meeting,
    set_meeting_lock,
    unschedule_meeting,
)
from move_events.meetings.scheduler_run import SchedulerConflict, run_scheduler
from move_events.meetings.scheduling import UnplacedReason
from move_events.registration.models import RegistrationStatus
from tests.meetings.planning_support import brokerage, meeting_between, person_at


def _bookings(meeting: Meeting) -> set[tuple[int, object]]:
    rows = _db.session.execute(
        select(MeetingBooking.registration_id, MeetingBooking.slot_start).where(
            MeetingBooking.meeting_id == meeting.id
        )
    )
    return set(rows)


def test_filtered_meetings_by_status_name_and_slot(db):
    event = brokerage()
    a, b, c = person_at(event, "Amina"), person_at(event, "Bruno"), person_at(event, "Chen")
    scheduled = meeting_between(a, b, slot=1)
    accepted = meeting_between(a, c)
    requested = meeting_between(b, c, status=MeetingStatus.REQUESTED)

    def ids(**filters):
        return [m.id for m in db.session.scalars(filtered_meetings(event, MeetingFilters(**filters)))]

    assert ids() == [scheduled.id, accepted.id, requested.id]  # by slot, unscheduled last
    assert ids(status=MeetingStatus.ACCEPTED) == [accepted.id]
    assert ids(name="chen") == [accepted.id, requested.id]
    assert ids(name=c.person.organisation.name[:6].upper()) == [accepted.id, requested.id]
    assert ids(slot=event_slots(event)[1].start) == [scheduled.id]
    assert ids(unscheduled=True) == [accepted.id, requested.id]
    counts = meeting_status_counts(event)
    assert counts[MeetingStatus.SCHEDULED] == 1 and counts[MeetingStatus.REQUESTED] == 1
    assert counts[MeetingStatus.COMPLETED] == 0


def test_arrange_meeting_accepted_locked_at_slot(db):
    event = brokerage()
    a, b = person_at(event), person_at(event)
    start = event_slots(event)[2].start
    meeting = arrange_meeting(event=event, requester=a, counterpart=b, locked=True, start=start, table=2)
    db.session.commit()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.arranged_by_organiser and meeting.locked
    assert (meeting.slot_start, meeting.table_no) == (start, 2)
    assert _bookings(meeting) == {(a.id, start), (b.id, start)}


@pytest.mark.parametrize(
    "case, message",
    [
        ("pending", "Only confirmed participants"),
        ("same", "two different participants"),
        ("duplicate", "already have a meeting"),
        ("lock_without_time", "Choose a time"),
    ],
)
def test_arrange_meeting_refusals(db, case, message):
    event = brokerage()
    a, b = person_at(event), person_at(event)
    kwargs = {"event": event, "requester": a, "counterpart": b}
    if case == "pending":
        kwargs["counterpart"] = person_at(event, status=RegistrationStatus.PENDING)
    elif case == "same":
        kwargs["counterpart"] = a
    elif case == "duplicate":
        meeting_between(b, a, status=MeetingStatus.REQUESTED)
    else:
        kwargs["locked"] = True
    with pytest.raises(PlanningError, match=message):
        arrange_meeting(**kwargs)


def test_arrange_meeting_at_taken_table_is_refused(db):
    event = brokerage(tables=1)
    a, b, c, d = (person_at(event) for _ in range(4))
    meeting_between(a, b, slot=0)
    with pytest.raises(SlotTaken):
        arrange_meeting(event=event, requester=c, counterpart=d, start=event_slots(event)[0].start)


def test_lock_move_unschedule(db):
    event = brokerage()
    a, b = person_at(event), person_at(event)
    meeting = meeting_between(a, b)
    with pytest.raises(PlanningError, match="with a time"):
        set_meeting_lock(meeting, locked=True)
    slots = event_slots(event)
    move_meeting(meeting, start=slots[3].start, table=2)
    set_meeting_lock(meeting, locked=True)
    db.session.commit()
    assert (meeting.slot_start, meeting.table_no, meeting.locked) == (slots[3].start, 2, True)
    assert _bookings(meeting) == {(a.id, slots[3].start), (b.id, slots[3].start)}
    unschedule_meeting(meeting)
    db.session.commit()
    assert meeting.status == MeetingStatus.ACCEPTED and meeting.slot_start is None and not meeting.locked
    assert _bookings(meeting) == set()
    meeting.status = MeetingStatus.COMPLETED
    with pytest.raises(PlanningError, match="held or missed"):
        move_meeting(meeting, start=slots[0].start)


def test_run_scheduler_places_all_keeps_locks_and_writes_seats(db):
    event = brokerage(slots=3, tables=2)
    a, b, c, d = (person_at(event, name) for name in ("Amina", "Bruno", "Chen", "Dora"))
    slots = event_slots(event)
    locked = meeting_between(a, b, slot=2, table=2, locked=True)
    movable = meeting_between(c, d, slot=2, table=1)  # scheduled but unlocked: may move
    others = [meeting_between(a, c), meeting_between(a, d), meeting_between(b, c), meeting_between(b, d)]
    requested = meeting_between(c, a, status=MeetingStatus.REQUESTED)  # not part of the run

    result = run_scheduler(event=event)
    db.session.commit()

    assert result.stats.meetings == 6 and result.stats.placed == 6 and result.unplaced == []
    assert (locked.slot_start, locked.table_no) == (slots[2].start, 2)
    for meeting in [locked, movable, *others]:
        assert meeting.status == MeetingStatus.SCHEDULED
        assert _bookings(meeting) == {
            (meeting.requester_id, meeting.slot_start),
            (meeting.counterpart_id, meeting.slot_start),
        }
    assert requested.slot_start is None and requested.status == MeetingStatus.REQUESTED
    assert db.session.scalar(select(func.count(MeetingBooking.id))) == 12


def test_run_scheduler_respects_cap_and_unavailability_and_explains(db):
    event = brokerage(slots=2, tables=5, meeting_cap=1)
    a, b, c = person_at(event, "Amina"), person_at(event, "Bruno"), person_at(event, "Chen")
    d, e = person_at(event, "Dora"), person_at(event, "Elif")
    first = meeting_between(a, b)
    second = meeting_between(a, c)  # Amina's cap is one meeting
    slots = event_slots(event)
    db.session.add_all([Unavailability(registration_id=e.id, slot_start=s.start) for s in slots])
    db.session.commit()
    away = meeting_between(d, e)

    result = run_scheduler(event=event)
    db.session.commit()

    reasons = {u.meeting_id: u for u in result.unplaced}
    assert first.status == MeetingStatus.SCHEDULED
    assert reasons[second.id].reason == UnplacedReason.CAP_REACHED
    assert "Amina" in reasons[second.id].message
    assert reasons[away.id].reason == UnplacedReason.UNAVAILABLE
    assert "Elif" in reasons[away.id].message
    assert second.slot_start is None and away.slot_start is None


def test_run_scheduler_keeps_a_session_cap_and_the_organiser_cannot_pass_it_by_hand(db):
    event = brokerage(slots=3, tables=5)
    event.sessions[0].meeting_cap = 2  # the one session: two meetings each at most
    db.session.commit()
    amina, *others = (person_at(event, name) for name in ("Amina", "Bruno", "Chen", "Dora"))
    meetings = [meeting_between(amina, other) for other in others]

    result = run_scheduler(event=event)
    db.session.commit()

    assert result.stats.placed == 2
    (left,) = result.unplaced
    assert left.reason == UnplacedReason.SESSION_CAP_REACHED
    assert left.message.startswith("Amina ")  # the one who is full, not "one of them"
    assert left.message.endswith(
        " already has the most meetings allowed in each session where both are free."
    )
    unplaced = next(m for m in meetings if m.id == left.meeting_id)
    free = next(s for s in event_slots(event) if s.start not in {m.slot_start for m in meetings})
    with pytest.raises(MeetingError, match="already has 2 meetings in that session"):
        move_meeting(unplaced, start=free.start)


def test_run_scheduler_bulk_writes_without_per_meeting_queries(db):
    """Many meetings, a constant number of statements: no query per meeting."""
    from sqlalchemy import event as sa_event

    brokerage_event = brokerage(slots=10, tables=20)
    people = [person_at(brokerage_event) for _ in range(16)]
    for i, a in enumerate(people):
        for b in people[i + 1 : i + 5]:
            meeting_between(a, b)
    statements = []

    def count(*_args):
        statements.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = run_scheduler(event=brokerage_event)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    db.session.commit()
    assert result.stats.placed == result.stats.meetings == 54
    assert len(statements) < 20


def test_run_scheduler_conflict_rolls_back_and_says_so(db, monkeypatch):
    """A participant books a seat the run wanted while it computes: the constraint refuses the run's
    write, nothing of the run is kept, and the organiser is told to run it again."""
    event = brokerage(slots=2, tables=2)
    a, b, c = person_at(event), person_at(event), person_at(event)
    planned = meeting_between(a, b)
    intruder = meeting_between(a, c, status=MeetingStatus.REQUESTED)
    real_build = scheduler_run.build_schedule

    def build_then_race(*args, **kwargs):
        schedule = real_build(*args, **kwargs)
        where = schedule.placements[planned.id]
        with db.engine.begin() as other:  # another request, committed while the run computes
            other.execute(
                MeetingBooking.__table__.insert().values(
                    meeting_id=intruder.id, registration_id=a.id, slot_start=where.start
                )
            )
        return schedule

    monkeypatch.setattr(scheduler_run, "build_schedule", build_then_race)
    with pytest.raises(SchedulerConflict, match="run the scheduler again"):
        run_scheduler(event=event)
    db.session.rollback()
    fresh = db.session.get(Meeting, planned.id)
    assert fresh.status == MeetingStatus.ACCEPTED and fresh.slot_start is None
    assert _bookings(fresh) == set()


def test_run_scheduler_without_slots_is_refused(db):
    event = brokerage()
    event.has_meetings = False
    db.session.commit()
    with pytest.raises(PlanningError, match="no meeting slots"):
        run_scheduler(event=event)


def test_place_meeting_loses_to_a_scheduler_run(db):
    """The other way round: a participant's place_meeting after a run took the seat gets SlotTaken."""
    event = brokerage(slots=1, tables=2)
    a, b, c = person_at(event), person_at(event), person_at(event)
    meeting_between(a, b)
    late = meeting_between(a, c)
    run_scheduler(event=event)
    db.session.commit()
    with pytest.raises(SlotTaken):
        place_meeting(late, start=event_slots(event)[0].start)


def test_run_scheduler_keeps_held_meetings(db):
    event = brokerage(slots=2, tables=1, starts_in=timedelta(minutes=-40))
    a, b, c = person_at(event), person_at(event), person_at(event)
    held = meeting_between(a, b, slot=0)
    held.status = MeetingStatus.COMPLETED
    db.session.commit()
    other = meeting_between(a, c)
    result = run_scheduler(event=event)
    db.session.commit()
    slots = event_slots(event)
    assert held.slot_start == slots[0].start and held.status == MeetingStatus.COMPLETED
    assert other.slot_start == slots[1].start and result.unplaced == []


@pytest.mark.postgres_only  # real concurrent transactions: SQLite serialises writers on the file
def test_two_runs_and_a_participant_at_once_never_double_book(app, db):
    """Two organisers run the scheduler while a participant places a meeting outside the run: each
    either succeeds or gets a clear message, and nobody is ever in two meetings in one slot."""
    import threading

    from move_events.events.models import Event
    from move_events.meetings.booking import MeetingError

    event = brokerage(slots=2, tables=3)
    people = [person_at(event) for _ in range(6)]
    for i, a in enumerate(people[:4]):
        for b in people[i + 1 : 4]:
            meeting_between(a, b)
    outsider = meeting_between(people[0], people[5])  # accepted meanwhile by a participant, with a slot
    outsider.status = MeetingStatus.ACCEPTED
    db.session.commit()
    event_id, outsider_id, start = event.id, outsider.id, event_slots(event)[0].start
    barrier, results = threading.Barrier(3), []

    def organiser():
        with app.app_context():
            barrier.wait()
            try:
                run_scheduler(event=_db.session.get(Event, event_id))
                _db.session.commit()
                results.append("ran")
            except MeetingError as error:
                _db.session.rollback()
                results.append(str(error))
            _db.session.remove()

    def participant():
        with app.app_context():
            barrier.wait()
            try:
                place_meeting(_db.session.get(Meeting, outsider_id), start=start)
                _db.session.commit()
                results.append("placed")
            except MeetingError as error:
                _db.session.rollback()
                results.append(str(error))
            _db.session.remove()

    threads = [threading.Thread(target=organiser), threading.Thread(target=organiser)]
    threads.append(threading.Thread(target=participant))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3
    assert all(
        r in ("ran", "placed")
        or "again" in r
        or "taken" in r
        or "choose" in r.lower()
        or "already has a meeting at that time" in r  # waited for a run, then saw its seats
        for r in results
    ), results
    db.session.expire_all()
    seats = db.session.execute(select(MeetingBooking.registration_id, MeetingBooking.slot_start)).all()
    assert len(seats) == len(set(seats))
    for meeting in db.session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.SCHEDULED)):
        assert _bookings(meeting) == {
            (meeting.requester_id, meeting.slot_start),
            (meeting.counterpart_id, meeting.slot_start),
        }


@pytest.mark.postgres_only
def test_a_cancel_during_a_run_waits_for_it_instead_of_deadlocking(app, db, monkeypatch):
    """A participant cancels a meeting of the run while the run is planning. Without the run holding
    its participants' rows, the cancel freed the seats and the run then wrote the same seats: a deadlock
    that PostgreSQL broke by failing one of them. Now the cancel waits and both succeed."""
    import threading
    import time

    from move_events.events.models import Event
    from move_events.meetings.requests import cancel_meeting
    from move_events.registration.models import Registration

    event = brokerage(slots=2, tables=3)
    a, b, c = (person_at(event) for _ in range(3))
    placed = meeting_between(a, b, slot=0)
    meeting_between(a, c)
    event_id, placed_id, a_id = event.id, placed.id, a.id
    planning, go = threading.Event(), threading.Event()
    real_build = scheduler_run.build_schedule

    def slow_build(*args, **kwargs):
        planning.set()
        go.wait(timeout=20)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(scheduler_run, "build_schedule", slow_build)
    results: dict[str, object] = {}

    def organiser():
        with app.app_context():
            try:
                results["run"] = run_scheduler(event=_db.session.get(Event, event_id)).stats.placed
                _db.session.commit()
            except Exception as error:  # the test reports whatever went wrong
                _db.session.rollback()
                results["run"] = error
            _db.session.remove()

    def participant():
        with app.app_context():
            try:
                meeting = _db.session.get(Meeting, placed_id)
                cancel_meeting(meeting=meeting, by=_db.session.get(Registration, a_id))
                _db.session.commit()
                results["cancel"] = time.monotonic()
            except Exception as error:  # the test reports whatever went wrong
                _db.session.rollback()
                results["cancel"] = error
            _db.session.remove()

    run_thread = threading.Thread(target=organiser)
    run_thread.start()
    assert planning.wait(timeout=20)
    cancel_thread = threading.Thread(target=participant)
    cancel_thread.start()
    cancel_thread.join(timeout=1)
    assert cancel_thread.is_alive(), "the cancel must wait for the run"
    released = time.monotonic()
    go.set()
    run_thread.join(timeout=30)
    cancel_thread.join(timeout=30)
    assert results["run"] == 2, results
    assert isinstance(results["cancel"], float) and results["cancel"] > released, results
    db.session.expire_all()
    cancelled = db.session.get(Meeting, placed_id)
    assert cancelled.status == MeetingStatus.CANCELLED and _bookings(cancelled) == set()
