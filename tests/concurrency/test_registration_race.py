"""200 people register at once, through the real form, for 100 seats on gunicorn + PostgreSQL.

Each client is its own browser: it loads the form (its own session and CSRF token), waits at a barrier
with the 199 others, then posts. The event row lock (registration/services.py) must give exactly 100
seats and 100 places on the waiting list, with no registration lost and none made twice.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from move_events.directory.models import Person
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationStatus
from tests.concurrency.live import Browser, Gunicorn, percentile
from tests.factories import make_event

pytestmark = pytest.mark.postgres_only  # SQLite serialises writers on the file: no race to lose there

PEOPLE, SEATS = 200, 100


def form_data(n: int, csrf_token: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_token,
        "given_name": "Amina",
        "family_name": f"Racer {n}",
        "email": f"amina.racer{n}@example.org",
        "organisation_name": f"Racing Org {n}",
        "organisation_kind": "sme",
        "organisation_country": "MA",
        "role": "participant",
        "preferred_language": "en",
        "consent": "y",
    }


def test_200_simultaneous_registrations_for_100_seats(server: Gunicorn, db):
    event = make_event(published=True, capacity=SEATS, title="The race for seats")
    path = f"/events/{event.slug}/register"
    barrier = threading.Barrier(PEOPLE, timeout=120)

    def person(n: int):
        browser = Browser(server.base_url)
        page = browser.get(path)
        assert page.status == 200, page.status
        token = page.csrf_token()
        barrier.wait()
        return browser.post_form(path, form_data(n, token))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        answers = list(pool.map(person, range(PEOPLE)))
    elapsed = time.perf_counter() - started

    # Every answer is the redirect to the thank-you page, with the status that person got.
    assert [a.status for a in answers] == [302] * PEOPLE, server.log()
    told = Counter(parse_qs(urlsplit(a.location).query)["status"][0] for a in answers)
    assert told == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}

    # The database agrees: one registration per person, none lost, none twice, seats not oversold.
    db.session.expire_all()
    rows = db.session.execute(
        select(Person.email, Registration.status)
        .join(Registration.person)
        .where(Registration.event_id == event.id)
    ).all()
    assert len(rows) == PEOPLE
    assert {email for email, _ in rows} == {f"amina.racer{n}@example.org" for n in range(PEOPLE)}
    assert Counter(status for _, status in rows) == {
        RegistrationStatus.CONFIRMED: SEATS,
        RegistrationStatus.WAITLISTED: PEOPLE - SEATS,
    }
    # The waiting list is in the order the server decided: everyone confirmed registered before anyone
    # waitlisted (the lock serialised the decisions).
    by_time = db.session.scalars(
        select(Registration.status).where(Registration.event_id == event.id).order_by(Registration.created_at)
    ).all()
    assert set(by_time[:SEATS]) == {RegistrationStatus.CONFIRMED}
    # And each person was written to exactly once.
    mails = Counter(db.session.scalars(select(OutboxMessage.kind)).all())
    assert mails == {"registration_confirmed": SEATS, "registration_waitlisted": PEOPLE - SEATS}
    assert db.session.scalar(select(func.count()).select_from(Person)) == PEOPLE

    latencies = [a.seconds for a in answers]
    print(
        f"\n{PEOPLE} registrations in {elapsed:.1f} s on {server.workers} workers: "
        f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
    )
