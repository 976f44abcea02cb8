"""Check-in lists through HTTP: organisers make them, door staff choose one and scan on it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.badges.tokens import make_badge_token
from move_events.checkin.lists import create_checkin_list
from move_events.checkin.models import CheckIn, CheckInList
from move_events.extensions import db as _db
from tests.factories import make_event, register, upcoming
from tests.support import PASSWORD

STARTS = upcoming(3, 4, 8)  # two days, never in the past
DAY1, DAY2 = STARTS.date(), STARTS.date() + timedelta(days=1)


@pytest.fixture
def event(db, auth):
    return make_event(
        published=True,
        title="Smart Ports Brokerage Tanger",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=32),
        created_by=auth.user(Role.ORGANISER),
    )


@pytest.fixture
def days(event):
    lists = (
        create_checkin_list(event=event, name="Day 1", day=DAY1),
        create_checkin_list(event=event, name="Day 2", day=DAY2),
    )
    _db.session.commit()
    return lists


def post_scan(client, event, token, checkin_list=None, door="North"):
    body = {"token": token, "nonce": uuid.uuid4().hex, "door": door}
    if checkin_list is not None:
        body["checkin_list"] = str(checkin_list.id)
    return client.post(f"/checkin/{event.id}/scan", json=body)


def test_organiser_creates_lists_for_the_event_days(client, auth, event):
    auth.login(Role.ORGANISER)
    page = client.get(f"/checkin/{event.id}/lists").get_data(as_text=True)
    assert "No lists yet" in page
    for day in (DAY1, DAY2):  # the event's days, e.g. "Thursday, March 4, 2027"
        assert format_date(day, "full", locale="en") in page

    response = client.post(f"/checkin/{event.id}/lists", data={"name": "Day 1", "day": DAY1.isoformat()})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "List Day 1 created." in page and f"/checkin/{event.id}?list=" in page

    response = client.post(f"/checkin/{event.id}/lists", data={"name": "day 1", "day": DAY1.isoformat()})
    assert response.status_code == 400 and "already has a list" in response.get_data(as_text=True)
    not_a_day = (DAY1 + timedelta(days=5)).isoformat()
    response = client.post(f"/checkin/{event.id}/lists", data={"name": "Day 9", "day": not_a_day})
    assert response.status_code == 400 and 'value="Day 9"' in response.get_data(as_text=True)
    response = client.post(f"/checkin/{event.id}/lists", data={"name": "", "day": ""})
    assert response.status_code == 400
    assert [(x.name, x.day.isoformat()) for x in _db.session.scalars(select(CheckInList))] == [
        ("Day 1", DAY1.isoformat())
    ]


def test_lists_page_is_for_organisers_who_manage_the_event(client, auth, event):
    auth.login(Role.STAFF)
    assert client.get(f"/checkin/{event.id}/lists").status_code == 403
    other = create_user(email="other@example.org", password=PASSWORD, role=Role.ORGANISER, name="Other")
    _db.session.commit()
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": other.email, "password": PASSWORD})
    assert client.get(f"/checkin/{event.id}/lists").status_code == 403
    response = client.post(f"/checkin/{event.id}/lists", data={"name": "Day 1", "day": ""})
    assert response.status_code == 403 and _db.session.scalars(select(CheckInList)).all() == []


def test_delete_an_unused_list_but_not_a_used_one(client, auth, event, days):
    day1, day2 = days
    auth.login(Role.ORGANISER)
    post_scan(client, event, make_badge_token(register(event)), day1)
    page = client.post(f"/checkin/{event.id}/lists/{day1.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in page.get_data(as_text=True)
    page = client.post(f"/checkin/{event.id}/lists/{day2.id}/delete", follow_redirects=True)
    assert "List deleted." in page.get_data(as_text=True)
    assert [x.name for x in _db.session.scalars(select(CheckInList))] == ["Day 1"]
    other = make_event(published=True)
    assert client.post(f"/checkin/{other.id}/lists/{day1.id}/delete").status_code in (403, 404)


def test_door_staff_scan_on_a_chosen_list(client, auth, event, days):
    day1, day2 = days
    auth.login(Role.STAFF)
    page = client.get(f"/checkin/{event.id}?list={day1.id}").get_data(as_text=True)
    assert 'id="list-choice"' in page and f'<option value="{day1.id}" selected>' in page
    assert 'id="list-arrived">0<' in page and f'"listId": "{day1.id}"' in page
    registration = register(event, given_name="Salma", family_name="Tazi")
    register(event)
    token = make_badge_token(registration)

    data = post_scan(client, event, token, day1).get_json()
    assert data["result"] == "welcome" and data["list"] == "Day 1"
    assert (data["list_arrived"], data["list_expected"], data["arrived"], data["expected"]) == (1, 2, 1, 2)
    again = post_scan(client, event, token, day1, door="South").get_json()
    assert again["result"] == "already_checked_in"
    expected = f"already checked in at {data['checked_in_at']}. Checked in by Staff at door North."
    assert expected in again["detail"]
    assert "List: Day 1." in again["detail"]

    next_day = post_scan(client, event, token, day2).get_json()
    assert next_day["result"] == "welcome" and next_day["list_arrived"] == 1 and next_day["arrived"] == 1
    assert client.get(f"/checkin/{event.id}/count?list={day2.id}").get_json() == {
        "arrived": 1,
        "expected": 2,
        "inside": 1,
        "list_arrived": 1,
        "list_expected": 2,
    }
    assert [e.checkin_list_id for e in _db.session.scalars(select(CheckIn).order_by(CheckIn.id))] == [
        day1.id,
        day1.id,
        day2.id,
    ]


def test_search_check_in_and_undo_on_a_list(client, auth, event, days):
    day1, day2 = days
    auth.login(Role.STAFF)
    registration = register(event, given_name="Youssef", family_name="Alaoui")
    post_scan(client, event, make_badge_token(registration), day1)

    found = client.get(f"/checkin/{event.id}/search?q=alaoui&list={day2.id}").get_json()
    assert found[0]["checked_in"] is False  # arrived yesterday, not yet today
    assert client.get(f"/checkin/{event.id}/search?q=alaoui&list={day1.id}").get_json()[0]["checked_in"]
    page = client.get(f"/checkin/{event.id}?q=alaoui&list={day2.id}").get_data(as_text=True)
    assert f'name="checkin_list" value="{day2.id}"' in page and "Checked in</span>" not in page

    data = client.post(
        found[0]["check_in_url"], json={"nonce": "n-1", "checkin_list": str(day2.id)}
    ).get_json()
    assert data["result"] == "welcome" and data["undo_url"].endswith(f"/undo?list={day2.id}")
    undone = client.post(data["undo_url"], json={}).get_json()
    assert undone["list_arrived"] == 0 and undone["arrived"] == 1  # still arrived on day 1
    assert client.post(data["undo_url"], json={}).status_code == 409


def test_no_script_scan_keeps_the_list(client, auth, event, days):
    auth.login(Role.STAFF)
    registration = register(event, given_name="Youssef", family_name="Alaoui")
    data = {"token": make_badge_token(registration), "nonce": "f-1", "checkin_list": str(days[1].id)}
    page = client.post(f"/checkin/{event.id}/scan", data=data).get_data(as_text=True)
    assert "Welcome, Youssef Alaoui!" in page and f'name="checkin_list" value="{days[1].id}"' in page
    assert f"/undo?list={days[1].id}" in page


def test_a_list_of_another_event_is_404(client, auth, event, days):
    auth.login(Role.STAFF)
    other = make_event(published=True)
    token = make_badge_token(register(other))
    assert client.get(f"/checkin/{other.id}?list={days[0].id}").status_code == 404
    assert post_scan(client, other, token, days[0]).status_code == 404
    assert client.get(f"/checkin/{event.id}/count?list=abc").status_code == 404
    assert client.get(f"/checkin/{event.id}/count?list=99999999999999999999999").status_code == 404
    assert _db.session.scalars(select(CheckIn)).all() == []


def test_a_walk_in_on_a_list_is_entered_on_it(client, auth, event, days):
    from move_events.checkin.models import CheckInListEntry
    from tests.checkin.test_walkins import WALK_IN

    auth.login(Role.STAFF)
    data = {**WALK_IN, "checkin_list": str(days[0].id)}
    page = client.post(f"/checkin/{event.id}/walk-in", data=data).get_data(as_text=True)
    assert "Welcome, Amina Benali!" in page and 'id="list-arrived">1<' in page
    [entry] = _db.session.scalars(select(CheckInListEntry)).all()
    assert (entry.checkin_list_id, entry.door) == (days[0].id, "Hall B")
