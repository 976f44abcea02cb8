"""Five doors scan the same badge at the same moment, each a logged-in staff browser on gunicorn:
exactly one welcome, four "already checked in", one check-in in the database, five lines in the log."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn, ScanResult
from move_events.registration.models import Registration
from tests.concurrency.conftest import logged_in
from tests.concurrency.live import Gunicorn
from tests.factories import make_event, register

pytestmark = pytest.mark.postgres_only  # SQLite serialises writers on the file: no race to lose there

DOORS = 5
ROUNDS = 3  # three badges, one after the other, each scanned at all doors at once


def test_five_doors_scanning_one_badge_check_it_in_once(app: Flask, server: Gunicorn, db):
    event = make_event(published=True, capacity=10)
    badges = []
    for _ in range(ROUNDS):
        registration = register(event)
        with app.test_request_context():
            badges.append(make_badge_token(registration))
    doors = [logged_in(server, db, Role.STAFF, f"door{n}@example.org")[0] for n in range(DOORS)]
    tokens = [door.get(f"/checkin/{event.id}").csrf_token() for door in doors]
    scan_url = f"/checkin/{event.id}/scan"

    for badge in badges:
        barrier = threading.Barrier(DOORS, timeout=60)

        def scan(n: int, badge: str = badge, barrier: threading.Barrier = barrier):
            body = {"token": badge, "nonce": uuid.uuid4().hex, "door": f"Door {n}"}
            barrier.wait()
            return doors[n].post_json(scan_url, body, csrf_token=tokens[n])

        with ThreadPoolExecutor(max_workers=DOORS) as pool:
            answers = list(pool.map(scan, range(DOORS)))
        assert [a.status for a in answers] == [200] * DOORS, server.log()
        results = Counter(a.json()["result"] for a in answers)
        assert results == {ScanResult.WELCOME.value: 1, ScanResult.ALREADY_CHECKED_IN.value: DOORS - 1}
        # Every door shows the same person, and the same time of arrival (the winner's).
        assert len({a.json()["name"] for a in answers}) == 1
        assert len({a.json()["checked_in_at"] for a in answers}) == 1

    db.session.expire_all()
    arrived = select(func.count()).select_from(Registration).where(Registration.checked_in_at.is_not(None))
    assert db.session.scalar(arrived) == ROUNDS
    logged = Counter(db.session.scalars(select(CheckIn.result)).all())
    assert logged == {ScanResult.WELCOME: ROUNDS, ScanResult.ALREADY_CHECKED_IN: ROUNDS * (DOORS - 1)}
