"""/api/v1/events/<id>/checkin: the door page's scan, with its result codes and nonce replay."""

from __future__ import annotations

import uuid

import pytest

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn, CheckInList
from move_events.extensions import db as _db
from move_events.registration.services import cancel_registration
from tests.api.conftest import assert_error
from tests.factories import make_event, register


@pytest.fixture
def event(db):
    return make_event(published=True, title="Smart Ports Brokerage Tanger")


@pytest.fixture
def door(api):
    return api.token(Role.STAFF, ApiScope.CHECKIN)


def scan(api, event, secret, **body):
    response = api.post(f"/api/v1/events/{event.id}/checkin/", secret, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def scans() -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(CheckIn))


def test_welcome_then_already_checked_in(api, event, door):
    registration = register(event)
    badge = make_badge_token(registration)
    first = scan(api, event, door, token=badge, nonce=uuid.uuid4().hex, door="Door 1")
    assert first["result"] == "welcome" and first["ok"] is True
    assert first["registration_id"] == registration.id and first["name"] == registration.person.full_name
    assert first["checked_in_at"] and first["arrived"] == 1 and first["replayed"] is False
    second = scan(api, event, door, token=badge, nonce=uuid.uuid4().hex)
    assert second["result"] == "already_checked_in" and second["ok"] is False
    assert scans() == 2


def test_a_retried_nonce_is_the_same_scan(api, event, door):
    badge = make_badge_token(register(event))
    nonce = uuid.uuid4().hex
    first = scan(api, event, door, token=badge, nonce=nonce)
    again = scan(api, event, door, token=badge, nonce=nonce)
    assert first["result"] == again["result"] == "welcome" and again["replayed"] is True
    assert scans() == 1


def test_refusals_carry_the_door_pages_codes(api, event, door):
    cancelled = register(event)
    cancel_registration(cancelled)
    _db.session.commit()
    elsewhere = register(make_event(published=True))
    assert scan(api, event, door, token=make_badge_token(cancelled))["result"] == "not_confirmed"
    assert scan(api, event, door, token=make_badge_token(elsewhere))["result"] == "wrong_event"
    assert scan(api, event, door, token="MEV-FORGED")["result"] == "invalid"
    assert scans() == 3  # failed scans are logged too


def test_exit_and_checkin_list(api, event, door):
    registration = register(event)
    day_one = CheckInList(event=event, name="Day 1")
    _db.session.add(day_one)
    _db.session.commit()
    badge = make_badge_token(registration)
    assert scan(api, event, door, token=badge, checkin_list_id=day_one.id)["result"] == "welcome"
    assert scan(api, event, door, token=badge, direction="exit")["result"] == "left"
    other_list = CheckInList(event=make_event(published=True), name="Elsewhere")
    _db.session.add(other_list)
    _db.session.commit()
    response = api.post(
        f"/api/v1/events/{event.id}/checkin/", door, json={"token": badge, "checkin_list_id": other_list.id}
    )
    assert_error(response, 404)


@pytest.mark.parametrize(
    "body, field",
    [({}, "token"), ({"token": ""}, "token"), ({"token": "x", "nonce": "n" * 65}, "nonce"),
     ({"token": "x", "direction": "sideways"}, "direction")],
)  # fmt: skip
def test_bad_scans_are_422(api, event, door, body, field):
    response = api.post(f"/api/v1/events/{event.id}/checkin/", door, json=body)
    assert field in assert_error(response, 422)["errors"]["json"]
    assert scans() == 0


def test_unknown_event_is_404_and_drafts_are_hidden_from_door_staff(api, door):
    assert_error(api.post("/api/v1/events/424242/checkin/", door, json={"token": "x"}), 404)
    draft = make_event()
    assert_error(api.post(f"/api/v1/events/{draft.id}/checkin/", door, json={"token": "x"}), 404)
