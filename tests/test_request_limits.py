"""Issue #13: a request body over MAX_CONTENT_LENGTH is refused before it is read; ``%`` and ``_`` in a
search are literal characters; door staff cannot open a draft event's door page."""

from __future__ import annotations

import io

import pytest

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from tests.api.conftest import ApiClient
from tests.factories import make_event, meeting_between, participant_at

TOO_BIG = 50 * 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that must not be read: the size in its Content-Length is reason enough to refuse."""

    def readable(self) -> bool:
        return True

    position = 0

    def seekable(self) -> bool:  # the test client measures the stream for its Content-Length: 50 MB
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = TOO_BIG + offset if whence == io.SEEK_END else offset
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        raise AssertionError("the oversized body was read")


@pytest.fixture
def api(client, auth) -> ApiClient:
    return ApiClient(client, auth)


def post_oversized(client, path: str, content_type: str, **kwargs):
    return client.post(
        path,
        input_stream=UnreadableBody(),
        content_type=content_type,
        **kwargs,
    )


def test_an_oversized_anonymous_upload_is_refused_unread(client, db):
    event = make_event(published=True)
    response = post_oversized(client, f"/events/{event.slug}/register", "multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_an_oversized_api_request_gets_a_json_413(api, db):
    event = make_event(published=True)
    token = api.token(Role.STAFF, ApiScope.CHECKIN)
    response = post_oversized(
        api.client,
        f"/api/v1/events/{event.id}/checkin/",
        "application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == 413


# --- LIKE wildcards --------------------------------------------------------------------------------


@pytest.fixture
def wildcard_events(db, auth):
    user = auth.user("organiser")
    return {
        "percent": make_event(title="100% hydrogen day", created_by=user, published=True),
        "underscore": make_event(title="Solar_B2B meeting", created_by=user, published=True),
        "plain": make_event(title="Wind forum", created_by=user, published=True),
    }


@pytest.mark.parametrize(("q", "expected"), [("%", {"percent"}), ("_", {"underscore"}), ("0%", {"percent"})])
def test_event_search_takes_wildcards_literally(client, auth, wildcard_events, q, expected):
    auth.login("organiser")
    page = client.get("/manage/events/", query_string={"q": q}).get_data(as_text=True)
    found = {key for key, event in wildcard_events.items() if event.title in page}
    assert found == expected


@pytest.mark.parametrize(("q", "expected"), [("%", {"100% hydrogen day"}), ("_", {"Solar_B2B meeting"})])
def test_api_event_search_takes_wildcards_literally(api, wildcard_events, q, expected):
    response = api.get("/api/v1/events/", api.token(Role.ORGANISER, ApiScope.READ), query_string={"q": q})
    assert response.status_code == 200
    assert {item["title"] for item in response.get_json()["items"]} == expected


def test_meeting_search_takes_wildcards_literally(client, auth, db):
    from tests.meetings.planning_support import brokerage

    event = brokerage(created_by=auth.user("organiser"))
    a = participant_at(event, "Amina", "Alaoui", organisation="100% Solaire")
    b = participant_at(event, "Bruno", "Barros", organisation="Cerrado Energia")
    c = participant_at(event, "Chen", "Li", organisation="Wind_Works")
    d = participant_at(event, "Dora", "Dias", organisation="Terra Verde")
    meeting_between(a, b)
    meeting_between(c, d)
    auth.login("organiser")

    def names(q: str) -> set[str]:
        page = client.get(f"/manage/events/{event.id}/meetings", query_string={"q": q}).get_data(as_text=True)
        return {name for name in ("Amina", "Chen") if name in page}

    assert names("%") == {"Amina"}
    assert names("_") == {"Chen"}
    assert names("a") == {"Amina", "Chen"}  # an ordinary search still finds both


# --- the door page of a draft ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "published", "status"),
    [("staff", False, 404), ("staff", True, 200), ("organiser", False, 200), ("admin", False, 200)],
)
def test_door_page_of_a_draft_is_not_for_door_staff(client, auth, db, role, published, status):
    event = make_event(published=published)
    auth.login(role)
    assert client.get(f"/checkin/{event.id}").status_code == status


def test_door_staff_cannot_scan_or_search_at_a_draft(client, auth, db):
    event = make_event()
    registration = participant_at(event)
    auth.login("staff")
    assert client.post(f"/checkin/{event.id}/scan", data={"token": "x"}).status_code == 404
    assert client.get(f"/checkin/{event.id}/search", query_string={"q": "Salma"}).status_code == 404
    assert client.get(f"/checkin/{event.id}/count").status_code == 404
    check_in = f"/checkin/{event.id}/registrations/{registration.id}/check-in"
    assert client.post(check_in).status_code == 404
