"""Load on gunicorn + PostgreSQL: door check-in and public registration, through real HTTP.

    .venv/bin/python -m benchmarks.load --database-url postgresql+psycopg://user@host:port/throwaway_db
        [--workers 4] [--doors 5] [--badges 500] [--registrations 200] [--clients 20] [--seats 100]
        [--pace SECONDS] [--project-dir DIR]

The database's tables are dropped and created: point it at a throw-away database only.

What it does:

1. creates the schema, five door-staff users, an event with ``--badges`` confirmed registrations (made
   without e-mail, so without badge PDFs) and a second event of ``--seats`` seats;
2. starts gunicorn (``--workers`` sync workers, as in docs/production.md) on a free loopback port;
3. **check-in**: ``--doors`` browsers log in as door staff and scan distinct badges, one after the
   other each, as fast as the server answers (the door page's JSON scan, with a nonce); every answer
   must be a welcome;
4. **registration**: ``--clients`` browsers at once load the public form (a CSRF token each) and post
   it, ``--registrations`` people in all, for the event of ``--seats`` seats (the rest waitlisted);
   every answer must be the redirect to the thank-you page.

It prints, for each phase, the number of requests, p50/p99 latency of the scan or of the form post
(from sending the request to the last byte of the answer) and the throughput (requests per second of
wall time), with the machine's load average before and after. Target: check-in p99 < 50 ms at 5 doors.

``--project-dir`` serves another copy of the code (its wsgi.py) against the same database: an A/B run
of a change. Both copies must have the same models.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from move_events import create_app
from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.badges.tokens import make_badge_token
from move_events.extensions import db
from move_events.outbox.services import no_mail
from tests.concurrency.live import PROJECT_ROOT, Browser, Gunicorn, percentile
from tests.factories import make_event, register

SECRET = "load-benchmark-secret-0123456789abcdef"  # 32+ bytes: its gunicorn runs non-testing
PASSWORD = "load benchmark password"


@dataclass
class Phase:
    name: str
    latencies: list[float]
    seconds: float
    load_before: float
    load_after: float

    def row(self) -> str:
        n = len(self.latencies)
        return (
            f"| {self.name} | {n} | {percentile(self.latencies, 0.5) * 1000:.0f} ms | "
            f"{percentile(self.latencies, 0.99) * 1000:.0f} ms | {n / self.seconds:.1f}/s | "
            f"{self.load_before:.1f} → {self.load_after:.1f} |"
        )


def seed(database_url: str, *, badges: int, seats: int, doors: int) -> tuple[int, str, list[str]]:
    """The schema, door staff, an event with ``badges`` confirmed people, an event of ``seats`` seats."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET, "TESTING": True})
    with app.app_context(), app.test_request_context():
        db.drop_all()
        db.create_all()
        for n in range(doors):
            create_user(email=f"door{n}@example.org", password=PASSWORD, role=Role.STAFF, name=f"Door {n}")
        door_event = make_event(published=True, capacity=badges, title="Load: the door")
        with no_mail():
            tokens = [make_badge_token(register(door_event)) for _ in range(badges)]
        signup = make_event(published=True, capacity=seats, title="Load: the sign-up")
        db.session.commit()
        result = door_event.id, signup.slug, tokens
        db.engine.dispose()
    return result


def check_in(server: Gunicorn, event_id: int, tokens: list[str], doors: int, pace: float = 0.0) -> Phase:
    """``pace`` 0: every door scans as fast as the server answers (saturation); otherwise each door scans
    once every ``pace`` seconds, the doors out of step with each other, as at a real entrance."""
    browsers = []
    for n in range(doors):
        browser = Browser(server.base_url)
        browser.login(f"door{n}@example.org", PASSWORD)
        browsers.append((browser, browser.get(f"/checkin/{event_id}").csrf_token()))
    shares = [tokens[n::doors] for n in range(doors)]
    barrier = threading.Barrier(doors)

    def door(n: int) -> list[float]:
        browser, csrf = browsers[n]
        times = []
        barrier.wait()
        start = time.perf_counter() + pace * n / doors  # doors out of step
        for k, token in enumerate(shares[n]):
            if pace:
                time.sleep(max(0.0, start + k * pace - time.perf_counter()))
            body = {"token": token, "nonce": uuid.uuid4().hex, "door": f"Door {n}"}
            answer = browser.post_json(f"/checkin/{event_id}/scan", body, csrf_token=csrf)
            if answer.status != 200 or answer.json()["result"] != "welcome":
                raise RuntimeError(f"scan failed: HTTP {answer.status} {answer.body[:200]}")
            times.append(answer.seconds)
        return times

    load_before, started = os.getloadavg()[0], time.perf_counter()
    with ThreadPoolExecutor(max_workers=doors) as pool:
        latencies = [t for times in pool.map(door, range(doors)) for t in times]
    label = f"check-in, {doors} doors" + (f", a scan every {pace:g} s each" if pace else ", back to back")
    return Phase(label, latencies, time.perf_counter() - started, load_before, os.getloadavg()[0])


def registration(server: Gunicorn, slug: str, people: int, clients: int) -> Phase:
    path = f"/events/{slug}/register"
    barrier = threading.Barrier(clients)

    def client(c: int) -> list[float]:
        times = []
        barrier.wait()
        for n in range(c, people, clients):
            browser = Browser(server.base_url)
            token = browser.get(path).csrf_token()
            form = {
                "csrf_token": token,
                "given_name": "Load",
                "family_name": f"Tester {n}",
                "email": f"load.tester{n}@example.org",
                "organisation_name": f"Load Org {n}",
                "organisation_kind": "sme",
                "organisation_country": "MA",
                "role": "participant",
                "preferred_language": "en",
                "consent": "y",
            }
            answer = browser.post_form(path, form)
            if answer.status != 302 or "/registered" not in answer.location:
                raise RuntimeError(f"registration failed: HTTP {answer.status}")
            times.append(answer.seconds)
        return times

    load_before, started = os.getloadavg()[0], time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = [t for times in pool.map(client, range(clients)) for t in times]
    name = f"registration, {clients} clients"
    return Phase(name, latencies, time.perf_counter() - started, load_before, os.getloadavg()[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("MOVE_EVENTS_BENCH_POSTGRES_URL"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--doors", type=int, default=5)
    parser.add_argument("--badges", type=int, default=500)
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--project-dir", type=Path, default=PROJECT_ROOT)
    parser.add_argument(
        "--pace", type=float, default=0.0, help="seconds between one door's scans (0: back to back)"
    )
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        parser.error("--database-url must be a throw-away PostgreSQL database")

    event_id, slug, tokens = seed(args.database_url, badges=args.badges, seats=args.seats, doors=args.doors)
    log_path = Path(tempfile.mkdtemp(prefix="load-")) / "gunicorn.log"
    with Gunicorn(
        database_url=args.database_url,
        secret_key=SECRET,
        workers=args.workers,
        log_path=log_path,
        project_dir=args.project_dir,
    ) as server:
        if args.pace:  # half the badges back to back, the other half at the door's pace
            half = len(tokens) // 2
            phases = [
                check_in(server, event_id, tokens[:half], args.doors),
                check_in(server, event_id, tokens[half:], args.doors, pace=args.pace),
            ]
        else:
            phases = [check_in(server, event_id, tokens, args.doors)]
        if args.registrations:
            phases.append(registration(server, slug, args.registrations, args.clients))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn {args.workers} sync workers, code from {args.project_dir}"
    )
    print("| phase | requests | p50 | p99 | throughput | load (1 min) |")
    print("|---|---:|---:|---:|---:|---:|")
    for phase in phases:
        print(phase.row())


if __name__ == "__main__":
    sys.exit(main())
