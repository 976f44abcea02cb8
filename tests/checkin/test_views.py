"""The door through HTTP: the script's JSON scan flow, the no-script form, search, undo, counts."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn
from move_events.extensions import db as _db
from move_events.registration.models import RegistrationStatus
from tests.factories import make_event, register


@pytest.fixture
def event(db):
    return make_event(published=True, title="Smart Ports Brokerage Tanger")


@pytest.fixture
def staff(auth):
    return auth.login(Role.STAFF)


def post_scan(client, event, token, nonce=None, door="North"):
    return client.post(
        f"/checkin/{event.id}/scan", json={"token": token, "nonce": nonce or str(uuid.uuid4()), "door": door}
    )


def test_json_scan_welcomes_then_reports_already_checked_in(client, event, staff):
    registration = register(event, given_name="Salma", family_name="Tazi")
    token = make_badge_token(registration)

    data = post_scan(client, event, token).get_json()
    assert data["result"] == "welcome" and data["ok"]
    assert data["name"] == "Salma Tazi" and "Salma Tazi" in data["title"]
    assert data["role"] == "Participant"
    assert (data["arrived"], data["expected"]) == (1, 1)
    assert data["undo_url"] == f"/checkin/{event.id}/registrations/{registration.id}/undo"

    again = post_scan(client, event, token, door="South").get_json()
    assert again["result"] == "already_checked_in"
    assert f"already checked in at {data['checked_in_at']}" in again["detail"]
    assert "Checked in by Staff at door North." in again["detail"]


def test_json_scan_retry_with_the_same_nonce_counts_once(client, event, staff):
    token = make_badge_token(register(event))
    first = post_scan(client, event, token, nonce="retry-1").get_json()
    second = post_scan(client, event, token, nonce="retry-1").get_json()
    assert first["result"] == second["result"] == "welcome"
    assert _db.session.scalar(select(func.count(CheckIn.id))) == 1


def test_json_scan_of_bad_tokens_explains(client, event, staff):
    other = make_event(published=True, title="Creative IT info day Recife")
    cancelled = register(event)
    cancelled.status = RegistrationStatus.CANCELLED
    _db.session.commit()
    cases = {
        "garbage": ("invalid", "not a valid badge"),
        make_badge_token(register(other)): ("wrong_event", "Creative IT info day Recife"),
        make_badge_token(cancelled): ("not_confirmed", "Cancelled"),
    }
    for token, (result, words) in cases.items():
        data = post_scan(client, event, token).get_json()
        assert data["result"] == result and words in data["detail"], data


def test_json_scan_without_token_is_400(client, event, staff):
    response = client.post(f"/checkin/{event.id}/scan", json={"token": "", "nonce": "x"})
    assert response.status_code == 400 and "token" in response.get_json()["errors"]
    assert client.post(f"/checkin/{event.id}/scan", json=[1]).status_code == 400
    response = client.post(f"/checkin/{event.id}/scan", json={"token": "x", "nonce": "n" * 65})
    assert response.status_code == 400 and "nonce" in response.get_json()["errors"]


def test_form_scan_without_script_renders_the_result(client, event, staff):
    registration = register(event, given_name="Youssef", family_name="Alaoui")
    data = {"token": make_badge_token(registration), "nonce": "form-1", "door": "Hall A"}
    page = client.post(f"/checkin/{event.id}/scan", data=data).get_data(as_text=True)
    assert "Welcome, Youssef Alaoui!" in page and "door-result--welcome" in page
    assert 'value="Hall A"' in page
    page = client.post(f"/checkin/{event.id}/scan", data={**data, "nonce": "form-2"}).get_data(as_text=True)
    assert "already checked in at" in page and "door-result--already_checked_in" in page


def test_door_page_and_event_list(client, event, staff):
    make_event(title="A draft nobody scans at")
    listing = client.get("/checkin/").get_data(as_text=True)
    assert "Smart Ports Brokerage Tanger" in listing and "A draft nobody scans at" not in listing
    page = client.get(f"/checkin/{event.id}").get_data(as_text=True)
    assert 'id="token"' in page and "autofocus" in page and "door-config" in page
    assert client.get("/checkin/999999").status_code == 404


def test_search_and_check_in_by_name_then_undo(client, event, staff):
    registration = register(event, given_name="Youssef", family_name="Alaoui")
    register(event, given_name="Salma", family_name="Tazi")
    found = client.get(f"/checkin/{event.id}/search?q=alaoui").get_json()
    assert [(p["id"], p["name"], p["checked_in"]) for p in found] == [
        (registration.id, "Youssef Alaoui", False)
    ]

    url = found[0]["check_in_url"]
    data = client.post(url, json={"nonce": "name-1", "door": "Desk"}).get_json()
    assert data["result"] == "welcome" and data["arrived"] == 1
    assert client.get(f"/checkin/{event.id}/search?q=alaoui").get_json()[0]["checked_in"]
    assert client.get(f"/checkin/{event.id}/count").get_json() == {"arrived": 1, "expected": 2, "inside": 1}

    undone = client.post(data["undo_url"], json={}).get_json()
    assert undone["arrived"] == 0
    assert client.post(data["undo_url"], json={}).status_code == 409


def test_no_script_name_search_and_check_in(client, event, staff):
    registration = register(event, given_name="Youssef", family_name="Alaoui")
    page = client.get(f"/checkin/{event.id}?q=youssef").get_data(as_text=True)
    assert "Youssef Alaoui" in page
    url = f"/checkin/{event.id}/registrations/{registration.id}/check-in"
    page = client.post(url, data={"nonce": "n-1"}).get_data(as_text=True)
    assert "Welcome, Youssef Alaoui!" in page
    response = client.post(f"/checkin/{event.id}/registrations/{registration.id}/undo", data={})
    assert response.status_code == 302


def test_registration_of_another_event_is_404(client, event, staff):
    other = register(make_event(published=True))
    url = f"/checkin/{event.id}/registrations/{other.id}/check-in"
    assert client.post(url, json={"nonce": "x"}).status_code == 404


def test_door_needs_login_and_the_staff_role(client, event):
    response = client.get(f"/checkin/{event.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    response = client.post(f"/checkin/{event.id}/scan", json={"token": "x"})
    assert response.status_code == 302


def test_scan_with_csrf_on_needs_the_header(app, client, event, staff):
    token = make_badge_token(register(event))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert post_scan(client, event, token).status_code == 400
        page = client.get(f"/checkin/{event.id}").get_data(as_text=True)
        csrf = page.split('"csrfToken": "')[1].split('"')[0]
        response = client.post(
            f"/checkin/{event.id}/scan",
            json={"token": token, "nonce": "c-1"},
            headers={"X-CSRFToken": csrf},
        )
        assert response.get_json()["result"] == "welcome"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
