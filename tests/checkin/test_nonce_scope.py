"""A scan's nonce is unique per event: the same nonce at another event is a new scan there, not a replay
of the other event's outcome (it used to be global, so a reused nonce answered with another event's
check-in and checked nobody in)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn, ScanResult
from move_events.checkin.services import check_in_by_token, check_in_registration
from move_events.extensions import db as _db
from tests.api.conftest import ApiClient
from tests.factories import make_event, register

NONCE = "3f2c9a7e0d5b4c61a8e2f1b0c9d8e7f6"


@pytest.fixture
def events(db):
    return (
        make_event(published=True, title="Smart Ports Brokerage Tanger", capacity=None),
        make_event(published=True, title="Green Hydrogen Day Recife", capacity=None),
    )


@pytest.fixture
def door_staff(auth):
    return auth.user(Role.STAFF)


def scans_at(event) -> list[CheckIn]:
    return list(_db.session.scalars(select(CheckIn).where(CheckIn.event_id == event.id)))


def test_same_nonce_at_another_event_checks_in_there(events, door_staff):
    event_a, event_b = events
    at_a, at_b = register(event_a), register(event_b)

    first = check_in_by_token(event=event_a, token=make_badge_token(at_a), user=door_staff, nonce=NONCE)
    _db.session.commit()
    second = check_in_by_token(event=event_b, token=make_badge_token(at_b), user=door_staff, nonce=NONCE)
    _db.session.commit()

    assert first.result is second.result is ScanResult.WELCOME
    assert second.replayed is False and second.registration.id == at_b.id
    assert at_b.checked_in_at is not None
    assert [scan.nonce for scan in scans_at(event_b)] == [NONCE]


def test_same_nonce_twice_at_one_event_is_a_replay(events, door_staff):
    event, _ = events
    registration = register(event)
    token = make_badge_token(registration)

    first = check_in_by_token(event=event, token=token, user=door_staff, nonce=NONCE)
    _db.session.commit()
    again = check_in_by_token(event=event, token=token, user=door_staff, nonce=NONCE)
    _db.session.commit()

    assert first.result is again.result is ScanResult.WELCOME
    assert again.replayed is True
    assert len(scans_at(event)) == 1


def test_name_search_check_in_scopes_the_nonce_too(events, door_staff):
    event_a, event_b = events
    at_a, at_b = register(event_a), register(event_b)
    check_in_registration(event=event_a, registration=at_a, user=door_staff, nonce=NONCE)
    _db.session.commit()

    outcome = check_in_registration(event=event_b, registration=at_b, user=door_staff, nonce=NONCE)
    _db.session.commit()

    assert outcome.replayed is False and outcome.result is ScanResult.WELCOME
    assert outcome.registration.id == at_b.id


def test_door_page_and_api_scope_the_nonce_per_event(client, auth, events):
    event_a, event_b = events
    at_a, at_b = register(event_a), register(event_b)
    api = ApiClient(client, auth)
    secret = api.token(Role.STAFF, ApiScope.CHECKIN)
    auth.login(Role.STAFF)

    door = client.post(f"/checkin/{event_a.id}/scan", json={"token": make_badge_token(at_a), "nonce": NONCE})
    assert door.get_json()["result"] == "welcome"
    response = api.post(
        f"/api/v1/events/{event_b.id}/checkin/",
        secret,
        json={"token": make_badge_token(at_b), "nonce": NONCE},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "welcome" and body["replayed"] is False
    assert body["registration_id"] == at_b.id

    again = api.post(
        f"/api/v1/events/{event_b.id}/checkin/",
        secret,
        json={"token": make_badge_token(at_b), "nonce": NONCE},
    ).get_json()
    assert again["replayed"] is True and again["registration_id"] == at_b.id
