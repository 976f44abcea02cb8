"""The organiser's whole scheduler run in the app: read the event's meetings, solve, write the result.

    .venv/bin/python -m benchmarks.scheduler_run --database-url postgresql+psycopg://user@host:port/throwaway
        [--participants 2000] [--scarce-tables] [--runs 2]

The database's tables are dropped and created: point it at a throw-away database only (SQLite works
too: ``sqlite:////tmp/run.sqlite``). Without ``--database-url`` it reads MOVE_EVENTS_BENCH_POSTGRES_URL.

What it does: builds the brokerage-shaped instance of ``benchmarks.scheduling`` (5 accepted meetings per
participant on average, a few very popular participants, ~12% unavailable for part of the day, 5% with
a cap) as real rows — an event with two sessions of 8 slots, confirmed registrations, accepted meetings,
unavailabilities — written in bulk (not through the services: that would take minutes and is not what
is measured). Then it calls ``scheduler_run.run_scheduler`` as the organiser's page does and commits,
``--runs`` times (the second run starts from the first one's schedule, as a re-run after changes does),
and prints the time of each phase: reading the meetings, the solver, writing the schedule, commit, and
rendering the result page (which lists every meeting left out, with its reason).
The instance's per-participant caps are left out: the app has one cap per event, not one per person.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from datetime import timedelta

from flask import render_template
from sqlalchemy import insert, select

from benchmarks.scheduling import DAY, brokerage_instance
from move_events import create_app
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import (
    Event,
    EventCategory,
    EventFormat,
    EventStatus,
    EventSubtype,
    MeetingSession,
)
from move_events.extensions import db
from move_events.meetings import scheduler_run
from move_events.meetings.models import Meeting, MeetingStatus, Unavailability
from move_events.meetings.schedule_mails import notify_schedule_changes
from move_events.meetings.scheduler_jobs import result_json
from move_events.registration.models import Registration, RegistrationStatus


def build(participants: int, *, scarce_tables: bool, seed: int) -> tuple[int, int]:
    """The instance as rows; returns (event id, number of accepted meetings)."""
    inst = brokerage_instance(participants, seed=seed, scarce_tables=scarce_tables)
    event = Event(
        title=f"Scheduler run, {participants} participants",
        slug=f"scheduler-run-{participants}",
        category=EventCategory.B2B,
        subtype=EventSubtype.BROKERAGE,
        format=EventFormat.ONSITE,
        status=EventStatus.PUBLISHED,
        starts_at=DAY.replace(hour=8),
        ends_at=DAY.replace(hour=18),
        has_meetings=True,
        slot_minutes=int((inst.slots[0].end - inst.slots[0].start).total_seconds() // 60),
        break_minutes=5,
        tables=inst.slots[0].tables,
    )
    by_session: dict[int, list] = defaultdict(list)
    for slot in inst.slots:
        by_session[slot.session].append(slot)
    event.sessions = [
        MeetingSession(starts_at=slots[0].start, ends_at=slots[-1].end + timedelta(minutes=5))
        for slots in by_session.values()
    ]
    db.session.add(event)
    db.session.flush()
    kinds = list(OrganisationKind)
    db.session.execute(
        insert(Organisation),
        [{"name": f"Org {p}", "kind": kinds[p % len(kinds)], "country": "MA"} for p in range(participants)],
    )
    org_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    db.session.execute(
        insert(Person),
        [
            {"given_name": "P", "family_name": str(p), "email": f"p{p}@bench.example", "organisation_id": org}
            for p, org in enumerate(org_ids)
        ],
    )
    person_ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    db.session.execute(
        insert(Registration),
        [
            {"event_id": event.id, "person_id": person, "status": RegistrationStatus.CONFIRMED}
            for person in person_ids
        ],
    )
    reg = list(db.session.scalars(select(Registration.id).order_by(Registration.id)))
    db.session.execute(
        insert(Meeting),
        [
            {
                "event_id": event.id,
                "requester_id": reg[m.a],
                "counterpart_id": reg[m.b],
                "status": MeetingStatus.ACCEPTED,
            }
            for m in inst.meetings
        ],
    )
    rows = [
        {"registration_id": reg[p], "slot_start": start}
        for p, starts in inst.unavailable.items()
        for start in starts
    ]
    if rows:
        db.session.execute(insert(Unavailability), rows)
    db.session.commit()
    return event.id, len(inst.meetings)


class Timer:
    """Wraps the run's phases (module functions of scheduler_run) to time them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, label: str) -> None:
        inner = getattr(scheduler_run, name)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - began

        setattr(scheduler_run, name, timed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("MOVE_EVENTS_BENCH_POSTGRES_URL"))
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--scarce-tables", action="store_true")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url (or MOVE_EVENTS_BENCH_POSTGRES_URL) is needed")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench", "TESTING": True})
    kind = args.database_url.split(":")[0]
    print(f"{platform.node()} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f} · {kind}")
    with app.app_context():
        db.drop_all()
        db.create_all()
        event_id, meetings = build(
            args.participants, scarce_tables=args.scarce_tables, seed=args.seed + args.participants
        )
        timer = Timer()
        timer.wrap("_run_rows", "read meetings")
        timer.wrap("_held_rows", "read meetings")
        timer.wrap("unavailable_slots", "read meetings")
        timer.wrap("build_schedule", "solver")
        timer.wrap("_write", "write")
        print(f"{args.participants} participants, {meetings} accepted meetings")
        print("| run | placed | read meetings | solver | write | e-mails | commit | result page | total |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in range(1, args.runs + 1):
            timer.seconds.clear()
            db.session.expire_all()
            began = time.perf_counter()
            result = scheduler_run.run_scheduler(event=db.session.get(Event, event_id))
            solved = time.perf_counter()
            mails = notify_schedule_changes(event=db.session.get(Event, event_id), changes=result.changes)
            before_commit = time.perf_counter()
            db.session.commit()
            committed = time.perf_counter()
            with app.test_request_context():
                event = db.session.get(Event, event_id)
                render_template(
                    "meetings/manage_schedule_result.html",
                    event=event,
                    result=result_json(result, mails=mails),
                )
            ended = time.perf_counter()
            s = timer.seconds
            print(
                f"| {run} | {result.stats.placed} | {s['read meetings']:.2f} s | {s['solver']:.2f} s | "
                f"{s['write']:.2f} s | {before_commit - solved:.2f} s ({mails}) | "
                f"{committed - before_commit:.2f} s | {ended - committed:.2f} s | "
                f"{ended - began:.2f} s |",
                flush=True,
            )
        db.session.remove()
        db.drop_all()
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
