"""KPI report over a partnership's years: 100,000 meetings, 20,000 registrations, 200 events.

    .venv/bin/python -m benchmarks.reports [--database-url URL] [--scale 0.01]

Without --database-url it uses a SQLite file in a temporary folder. The database's tables are dropped
and created: point it at a throw-away database only. ``--scale`` multiplies every size (a quick check
of the script itself: 0.01). Target: each report function < 1 s. Dates are relative to today.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

import move_events.models  # noqa: F401  (every model mapped before the report queries are built)
from move_events import create_app
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.models import Meeting
from move_events.registration.models import Registration
from move_events.reports import queries as q

NOW = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)  # data relative to today


def fill(
    rng: random.Random, *, organisations=2000, events=200, registrations=20_000, meetings=100_000
) -> None:
    countries = ["MA", "BR", "ES", "FR", "IT", "BG", "DE", "TN"]
    db.session.execute(insert(Organisation), [
        {"id": i, "name": f"Organisation {i}", "kind": rng.choice(list(OrganisationKind)),
         "country": rng.choice(countries), "is_partner": i <= 4, "created_at": NOW}
        for i in range(1, organisations + 1)
    ])  # fmt: skip
    db.session.execute(insert(Event), [
        {"id": i, "title": f"Event {i}", "slug": f"event-{i}",
         "category": rng.choice(["preparatory", "c2c", "b2b"]), "subtype": "workshop",
         "target_country": rng.choice(["MA", "BR", None]), "format": "onsite",
         "starts_at": (start := NOW - timedelta(days=rng.randint(-30, 700))),
         "ends_at": start + timedelta(hours=8),
         "status": rng.choice(["published"] * 8 + ["cancelled", "draft"]), "organiser_id": rng.randint(1, 4),
         "created_at": NOW, "updated_at": NOW, "has_meetings": True}
        for i in range(1, events + 1)
    ])  # fmt: skip
    db.session.execute(insert(Person), [
        {"id": i, "given_name": "P", "email": f"p{i}@example.org", "created_at": NOW,
         "organisation_id": rng.randint(1, organisations) if rng.random() < 0.95 else None}
        for i in range(1, registrations + 1)
    ])  # fmt: skip
    rows = [
        {"id": i, "event_id": i % events + 1, "person_id": i, "role": "participant", "badge_secret": f"s{i}",
         "status": rng.choice(["confirmed"] * 6 + ["cancelled", "pending", "waitlisted"]),
         "checked_in_at": NOW if rng.random() < 0.6 else None, "attended": rng.random() < 0.1,
         "created_at": NOW, "updated_at": NOW}
        for i in range(1, registrations + 1)
    ]  # fmt: skip
    db.session.execute(insert(Registration), rows)
    by_event: dict[int, list[int]] = {}
    for row in rows:
        by_event.setdefault(row["event_id"], []).append(row["id"])
    batch = []
    for i in range(1, meetings + 1):
        event = rng.randint(1, events)
        a, b = rng.sample(by_event[event], 2)
        batch.append({
            "id": i, "event_id": event, "requester_id": a, "counterpart_id": b,
            "status": rng.choice(["completed"] * 5 + ["no_show", "cancelled", "scheduled"]),
            "requester_outcome": rng.choice([None, "cooperation_possible", "informative"]),
            "follow_up": rng.choice([None, "agreement_reached", "negotiation_started"]), "requested_at": NOW,
        })  # fmt: skip
        if len(batch) == 10_000 or i == meetings:
            db.session.execute(insert(Meeting), batch)
            batch = []
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/reports-benchmark.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        sizes = {"organisations": 2000, "events": 200, "registrations": 20_000, "meetings": 100_000}
        fill(random.Random(2026), **{name: max(10, int(size * args.scale)) for name, size in sizes.items()})
        print(f"data: {time.perf_counter() - started:.1f} s to load ({db.engine.dialect.name})")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        for label, report_filter in [("all", q.ReportFilter()), ("MA, one partner", q.ReportFilter(
                partner_cluster_id=1, target_country="MA"))]:  # fmt: skip
            for function in (
                q.events_and_meetings,
                q.stakeholders,
                q.attendance_by_event,
                q.meeting_outcomes,
            ):
                best = min(_timed(function, report_filter) for _ in range(3))
                print(f"| {db.engine.dialect.name} | {label} | {function.__name__} | {best * 1000:.0f} ms |")
        # The report queries left the session in a transaction: on PostgreSQL its locks would make
        # DROP TABLE (another connection) wait for ever ("idle in transaction").
        db.session.rollback()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _timed(function, report_filter) -> float:
    started = time.perf_counter()
    function(report_filter, now=NOW)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
