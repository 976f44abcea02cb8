"""Errors of JSON requests answer JSON (issue #13): the door's script reads every answer as JSON.

An HTML 400 page for a malformed scan (a NUL byte, invalid JSON) left the script nothing to read.
Pages for people keep the HTML error page.
"""

from __future__ import annotations

import pytest

from move_events.auth.models import Role
from tests.factories import make_event

JSON = {"Accept": "application/json"}


@pytest.fixture
def event(db):
    return make_event(published=True, title="Smart Ports Brokerage Tanger")


@pytest.fixture
def staff(auth):
    return auth.login(Role.STAFF)


def assert_json_error(response, code: int) -> None:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert (body["code"], body["status"]) == (code, "Bad Request" if code == 400 else body["status"])
    assert body["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "abc\x00def", "nonce": "n-1", "door": "North"},  # refused before the view
        {"token": "abc", "nonce": "n-2", "door": "North\x00"},
    ],
    ids=["nul-token", "nul-door"],
)
def test_a_malformed_json_scan_gets_a_json_400(client, event, staff, body):
    response = client.post(f"/checkin/{event.id}/scan", json=body, headers=JSON)
    assert_json_error(response, 400)


def test_invalid_json_sent_to_the_scan_gets_a_json_400(client, event, staff):
    response = client.post(
        f"/checkin/{event.id}/scan", data="{not json", content_type="application/json", headers=JSON
    )
    assert_json_error(response, 400)


def test_a_camera_frame_gets_json_errors_even_without_asking(client, event, staff):
    """The frame route only ever answers JSON: its errors are JSON whatever the Accept header says."""
    response = client.post(
        f"/checkin/{event.id}/frame?door=North%00", data=b"\xff\xd8", content_type="image/jpeg"
    )
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    ("path", "code"),
    [("/checkin/{id}/count?list=%00", 400), ("/checkin/999999/count", 404), ("/nowhere.json", 404)],
)
def test_json_requests_get_json_errors(client, event, staff, path: str, code: int):
    headers = {} if path.endswith(".json") else JSON
    response = client.get(path.format(id=event.id), headers=headers)
    assert_json_error(response, code)


def test_pages_for_people_keep_the_html_error_page(client, event, staff):
    response = client.post(
        f"/checkin/{event.id}/scan",
        data={"token": "abc\x00", "nonce": "n-3"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert client.get("/nowhere", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_a_json_405_names_the_allowed_methods(client, event, staff):
    response = client.put(f"/checkin/{event.id}/scan", json={}, headers=JSON)
    assert_json_error(response, 405)
    assert "POST" in response.headers["Allow"]


def test_api_errors_stay_the_apis_own(client):
    response = client.get("/api/v1/nowhere", headers=JSON)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert (
        response.get_json()["message"]
        != "The page or the item you asked for does not exist, or is not public."
    )
