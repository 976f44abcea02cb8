"""/api/v1/events/<id>/meetings: list and mark held or missed (``mark_meeting``), for its organisers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from move_events.db_types import utcnow
from move_events.events.models import EventCategory, EventSubtype
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingStatus
from tests.api.conftest import assert_error
from tests.factories import make_event, register


@pytest.fixture
def organiser(auth):
    return auth.user(Role.ORGANISER)


@pytest.fixture
def event(db, organiser):
    return make_event(
        published=True, created_by=organiser, category=EventCategory.B2B, subtype=EventSubtype.BROKERAGE
    )


def meeting(
    event, *, started: bool, status: MeetingStatus = MeetingStatus.SCHEDULED, table: int = 1
) -> Meeting:
    start = utcnow().replace(microsecond=0) + (timedelta(hours=-1) if started else timedelta(days=2))
    found = Meeting(
        event=event, requester=register(event), counterpart=register(event), status=status,
        slot_start=start, table_no=table,
    )  # fmt: skip
    _db.session.add(found)
    _db.session.commit()
    return found


def test_list_with_status_filter(api, event):
    held = meeting(event, started=True, table=1)
    later = meeting(event, started=False, table=2)
    token = api.token(Role.ORGANISER, ApiScope.READ)
    body = api.get(f"/api/v1/events/{event.id}/meetings/", token).get_json()
    assert [m["id"] for m in body["items"]] == [held.id, later.id] and body["total"] == 2
    assert body["items"][0]["requester_id"] == held.requester_id and body["items"][0]["table_no"] == 1
    assert api.get(f"/api/v1/events/{event.id}/meetings/?status=completed", token).get_json()["items"] == []


def test_mark_completed_then_no_show(api, organiser, event):
    found = meeting(event, started=True)
    token = api.token(Role.ORGANISER, ApiScope.WRITE)
    url = f"/api/v1/events/{event.id}/meetings/{found.id}"
    response = api.patch(url, token, json={"status": "completed"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "completed" and response.get_json()["marked_by_organiser"] is True
    _db.session.expire_all()
    assert _db.session.get(Meeting, found.id).marked_by_id == organiser.id
    assert api.patch(url, token, json={"status": "no_show"}).get_json()["status"] == "no_show"


def test_a_meeting_that_has_not_started_is_409(api, event):
    found = meeting(event, started=False)
    token = api.token(Role.ORGANISER, ApiScope.WRITE)
    body = assert_error(
        api.patch(f"/api/v1/events/{event.id}/meetings/{found.id}", token, json={"status": "completed"}), 409
    )
    assert "not started" in body["message"]
    _db.session.expire_all()
    assert _db.session.get(Meeting, found.id).status == MeetingStatus.SCHEDULED


@pytest.mark.parametrize("status", ["accepted", "scheduled", "", None])
def test_only_completed_or_no_show(api, event, status):
    found = meeting(event, started=True)
    token = api.token(Role.ORGANISER, ApiScope.WRITE)
    response = api.patch(f"/api/v1/events/{event.id}/meetings/{found.id}", token, json={"status": status})
    assert "status" in assert_error(response, 422)["errors"]["json"]


def test_other_events_meeting_is_404_and_others_events_403(api, event):
    found = meeting(event, started=True)
    token = api.token(Role.ORGANISER, ApiScope.WRITE)
    other_event = make_event(published=True, created_by=api.auth.user(Role.ORGANISER))
    assert_error(
        api.patch(
            f"/api/v1/events/{other_event.id}/meetings/{found.id}", token, json={"status": "completed"}
        ),
        404,
    )
    not_mine = make_event(published=True)
    assert_error(api.get(f"/api/v1/events/{not_mine.id}/meetings/", token), 403)
    admin = api.token(Role.ADMIN, ApiScope.READ)
    assert api.get(f"/api/v1/events/{not_mine.id}/meetings/", admin).status_code == 200
