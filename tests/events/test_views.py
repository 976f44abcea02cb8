from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.events.models import Event, EventStatus
from tests.factories import make_event


def form_data(**overrides) -> dict:
    start = datetime.now(UTC) + timedelta(days=20)
    data = {
        "title": "Brokerage Days São Paulo",
        "description": "Meet Brazilian buyers.",
        "category": "b2b",
        "subtype": "brokerage",
        "target_country": "BR",
        "organiser_id": "0",
        "format": "onsite",
        "venue": "Expo Center Norte",
        "city": "São Paulo",
        "country": "BR",
        "timezone": "America/Sao_Paulo",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT18:00"),
        "capacity": "120",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "waitlist_enabled": "y",
        "break_minutes": "0",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


MANAGE_ROUTES = [
    ("get", "/manage/events/"),
    ("get", "/manage/events/new"),
    ("post", "/manage/events/new"),
    ("get", "/manage/events/{id}"),
    ("get", "/manage/events/{id}/edit"),
    ("post", "/manage/events/{id}/edit"),
    ("post", "/manage/events/{id}/publish"),
    ("post", "/manage/events/{id}/cancel"),
]


@pytest.mark.parametrize(("method", "path"), MANAGE_ROUTES)
def test_manage_routes_send_anonymous_to_login(client, db, method, path):
    event = make_event()
    response = getattr(client, method)(path.format(id=event.id))
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(("method", "path"), MANAGE_ROUTES)
def test_manage_routes_forbid_door_staff(client, auth, db, method, path):
    event = make_event()
    auth.login(Role.STAFF)
    response = getattr(client, method)(path.format(id=event.id), data=form_data())
    assert response.status_code == 403
    assert db.session.get(Event, event.id).status == EventStatus.DRAFT


def test_event_create_publish_and_public_list(client, auth, db):
    auth.login(Role.ORGANISER)
    response = client.post("/manage/events/new", data=form_data())
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.status == EventStatus.DRAFT
    assert event.starts_at.hour == 12  # 09:00 in São Paulo is 12:00 UTC
    assert "Brokerage Days" not in client.get("/events/").get_data(as_text=True)

    assert client.post(f"/manage/events/{event.id}/publish").status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED
    listing = client.get("/events/").get_data(as_text=True)
    assert "Brokerage Days São Paulo" in listing
    detail = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Expo Center Norte" in detail


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        (
            {"ends_at": (datetime.now(UTC) + timedelta(days=19)).strftime("%Y-%m-%dT09:00")},
            "ends_at",
            "end after it starts",
        ),
        ({"capacity": "0"}, "capacity", "Capacity must be at least 1"),
        ({"country": "XX"}, "country", "Not a valid choice"),
        ({"target_country": "FR"}, "target_country", "Not a valid choice"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Not a valid choice"),
        ({"has_meetings": "y", "slot_minutes": "20"}, "tables", "at least one table"),
    ],
)
def test_event_form_rejects_bad_input_at_the_field(client, auth, db, overrides, field, message):
    auth.login(Role.ORGANISER)
    response = client.post("/manage/events/new", data=form_data(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}"' in page and "is-invalid" in page
    assert "Expo Center Norte" in page  # the rest of the input is kept
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_event_edit_keeps_time_zone_and_saves(client, auth, db):
    organiser = auth.login(Role.ORGANISER)
    event = make_event(created_by=organiser, timezone="Europe/Sofia")
    page = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    local = event.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Sofia"))
    assert local.strftime("%Y-%m-%dT%H:%M") in page
    response = client.post(
        f"/manage/events/{event.id}/edit",
        data=form_data(title="Renamed", timezone="Europe/Sofia", category="preparatory", subtype="workshop"),
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title == "Renamed"


def test_organiser_cannot_change_another_clusters_event(client, auth, db):
    other = auth.user(Role.ADMIN)
    event = make_event(created_by=other)
    auth.login(Role.ORGANISER)
    assert client.get(f"/manage/events/{event.id}").status_code == 200  # reading is shared
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 403
    assert client.post(f"/manage/events/{event.id}/edit", data=form_data()).status_code == 403


def test_draft_event_page_is_not_public(client, db):
    event = make_event()
    assert client.get(f"/events/{event.slug}").status_code == 404


def test_cancelled_event_shows_as_cancelled(client, auth, db):
    organiser = auth.login(Role.ORGANISER)
    event = make_event(published=True, created_by=organiser)
    client.post(f"/manage/events/{event.id}/cancel")
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "This event has been cancelled." in page


def test_public_list_filters_by_target_country(client, db):
    make_event(published=True, title="Morocco workshop", target_country="MA")
    make_event(published=True, title="Brazil workshop", target_country="BR")
    page = client.get("/events/?target=BR").get_data(as_text=True)
    assert "Brazil workshop" in page and "Morocco workshop" not in page


def test_public_list_separates_past_events(client, db):
    past = datetime.now(UTC) - timedelta(days=40)
    make_event(published=True, title="Old info day", starts_at=past)
    page = client.get("/events/").get_data(as_text=True)
    assert page.index("Past events") < page.index("Old info day")


def test_event_form_saves_each_sessions_tables_and_cap_and_shows_them_again(client, auth, db):
    auth.login(Role.ORGANISER)
    day = form_data()["starts_at"][:10]
    meetings = {
        "has_meetings": "y",
        "slot_minutes": "20",
        "tables": "30",
        "sessions-0-starts_at": f"{day}T10:00",
        "sessions-0-ends_at": f"{day}T12:00",
        "sessions-0-tables": "",
        "sessions-0-meeting_cap": "4",
        "sessions-1-starts_at": f"{day}T14:00",
        "sessions-1-ends_at": f"{day}T16:00",
        "sessions-1-tables": "12",
        "sessions-1-meeting_cap": "",
    }
    response = client.post("/manage/events/new", data=form_data(**meetings))
    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert [(s.tables, s.meeting_cap) for s in event.sessions] == [(None, 4), (12, None)]
    page = client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="sessions-0-meeting_cap" type="number" value="4"' in page
    assert 'name="sessions-1-tables" type="number" value="12"' in page

    # Changing only a session's cap is saved too (the sessions are compared whole, not by their times).
    client.post(
        f"/manage/events/{event.id}/edit", data=form_data(**meetings | {"sessions-1-meeting_cap": "2"})
    )
    db.session.expire_all()
    assert [(s.tables, s.meeting_cap) for s in event.sessions] == [(None, 4), (12, 2)]


def test_event_form_refuses_a_session_cap_below_one_at_the_field(client, auth, db):
    auth.login(Role.ORGANISER)
    day = form_data()["starts_at"][:10]
    response = client.post(
        "/manage/events/new",
        data=form_data(
            has_meetings="y",
            slot_minutes="20",
            tables="30",
            **{
                "sessions-0-starts_at": f"{day}T10:00",
                "sessions-0-ends_at": f"{day}T12:00",
                "sessions-0-meeting_cap": "0",
            },
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="sessions-0-meeting_cap"' in page and "Number must be between 1 and 100." in page
    assert f'value="{day}T10:00"' in page  # the session's times are kept
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
