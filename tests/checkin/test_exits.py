"""Exit scans: seen out, and the "inside now" count follows each person's latest entry or exit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn, ScanDirection, ScanResult
from move_events.checkin.queries import arrival_counts, inside_count
from move_events.checkin.services import check_in_by_token, undo_check_in
from move_events.extensions import db as _db
from move_events.registration.models import RegistrationStatus
from tests.factories import make_event, register


@pytest.fixture
def door_staff(auth):
    return auth.user(Role.STAFF)


@pytest.fixture
def event(db):
    return make_event(published=True, title="Smart Ports Brokerage Tanger")


def scan(event, token, user, direction=ScanDirection.ENTRY, nonce=None):
    outcome = check_in_by_token(
        event=event, token=token, user=user, nonce=nonce or uuid.uuid4().hex, direction=direction
    )
    _db.session.commit()
    return outcome


def test_in_out_and_back_in(event, door_staff):
    salma, youssef = register(event), register(event)
    salma_token, youssef_token = make_badge_token(salma), make_badge_token(youssef)
    scan(event, salma_token, door_staff)
    scan(event, youssef_token, door_staff)
    assert inside_count(event) == 2

    out = scan(event, salma_token, door_staff, ScanDirection.EXIT)
    assert out.result is ScanResult.LEFT and out.name == salma.person.full_name
    assert inside_count(event) == 1 and arrival_counts(event) == (2, 2)  # still arrived at the event
    first_arrival = salma.checked_in_at

    back = scan(event, salma_token, door_staff)
    assert back.result is ScanResult.ALREADY_CHECKED_IN and back.back  # re-entry: no second welcome
    assert not scan(event, salma_token, door_staff).back  # inside already: a plain "already"
    assert inside_count(event) == 2 and salma.checked_in_at == first_arrival

    log = _db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert [(e.direction, e.result) for e in log][2:4] == [
        (ScanDirection.EXIT, ScanResult.LEFT),
        (ScanDirection.ENTRY, ScanResult.ALREADY_CHECKED_IN),
    ]


def test_refused_exits_and_people_never_in_are_not_inside(event, door_staff):
    never_in = register(event)
    cancelled = register(event)
    cancelled.status = RegistrationStatus.CANCELLED
    _db.session.commit()
    assert scan(event, make_badge_token(never_in), door_staff, ScanDirection.EXIT).result is ScanResult.LEFT
    refused = scan(event, make_badge_token(cancelled), door_staff, ScanDirection.EXIT)
    assert refused.result is ScanResult.NOT_CONFIRMED
    assert scan(event, "garbage", door_staff, ScanDirection.EXIT).result is ScanResult.INVALID
    other = register(make_event(published=True))
    assert (
        scan(event, make_badge_token(other), door_staff, ScanDirection.EXIT).result is ScanResult.WRONG_EVENT
    )
    assert inside_count(event) == 0

    scan(event, make_badge_token(never_in), door_staff)  # now in; the earlier exit is older
    assert inside_count(event) == 1
    scan(event, "garbage", door_staff, ScanDirection.EXIT)  # a refused scan moves nobody
    assert inside_count(event) == 1
    undo_check_in(registration=never_in, user=door_staff)
    _db.session.commit()
    assert inside_count(event) == 0


def test_a_retried_exit_counts_once(event, door_staff):
    token = make_badge_token(register(event))
    scan(event, token, door_staff)
    first = scan(event, token, door_staff, ScanDirection.EXIT, nonce="exit-1")
    again = scan(event, token, door_staff, ScanDirection.EXIT, nonce="exit-1")
    assert again.replayed and again.result is first.result is ScanResult.LEFT
    assert again.checked_in_at == first.checked_in_at and again.direction is ScanDirection.EXIT
    assert len(_db.session.scalars(select(CheckIn)).all()) == 2


def test_exit_scan_through_the_door_page(client, auth, event):
    auth.login(Role.STAFF)
    registration = register(event, given_name="Salma", family_name="Tazi")
    token = make_badge_token(registration)
    data = client.post(f"/checkin/{event.id}/scan", json={"token": token, "nonce": "in-1"}).get_json()
    assert data["inside"] == 1
    body = {"token": token, "nonce": "out-1", "direction": "exit"}
    data = client.post(f"/checkin/{event.id}/scan", json=body).get_json()
    assert data["result"] == "left" and data["ok"] and data["title"] == "Goodbye, Salma Tazi!"
    assert data["detail"].startswith("Left at ") and data["undo_url"] == ""
    assert (data["inside"], data["arrived"]) == (0, 1)
    assert client.get(f"/checkin/{event.id}/count").get_json()["inside"] == 0
    data = client.post(f"/checkin/{event.id}/scan", json={"token": token, "nonce": "in-2"}).get_json()
    assert data["result"] == "already_checked_in" and data["tone"] == "welcome"
    assert data["title"] == "Welcome back, Salma Tazi!" and data["detail"].startswith("First checked in at ")
    assert data["inside"] == 1
    client.post(f"/checkin/{event.id}/scan", json={**body, "nonce": "out-1b"})

    page = client.post(f"/checkin/{event.id}/scan", data={**body, "nonce": "out-2"}).get_data(as_text=True)
    assert "Goodbye, Salma Tazi!" in page and 'id="direction-exit" value="exit" checked' in page
    bad = client.post(f"/checkin/{event.id}/scan", json={**body, "nonce": "x", "direction": "sideways"})
    assert bad.status_code == 400 and "direction" in bad.get_json()["errors"]
