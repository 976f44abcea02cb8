"""/api/v1/events: list with filters and pages, read; drafts only for organisers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from move_events.events.models import EventCategory, EventSubtype
from tests.api.conftest import assert_error
from tests.factories import make_event, upcoming

RABAT = upcoming(3, 1, 9)  # never in the past
DRAFT, RECIFE = RABAT + timedelta(days=31), RABAT + timedelta(days=70)  # 1 April, 10 May


@pytest.fixture
def events(db):
    return {
        "rabat": make_event(
            published=True,
            title="Rabat info day",
            starts_at=RABAT,
            city="Rabat",
        ),
        "recife": make_event(
            published=True,
            title="Recife brokerage",
            category=EventCategory.B2B,
            subtype=EventSubtype.BROKERAGE,
            target_country="BR",
            starts_at=RECIFE,
        ),
        "draft": make_event(title="Draft workshop", starts_at=DRAFT),
    }


def titles(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["title"] for item in response.get_json()["items"]}


def test_organisers_list_every_event_door_staff_not_drafts(api, events):
    assert titles(api.get("/api/v1/events/", api.token(Role.ORGANISER, ApiScope.READ))) == {
        "Rabat info day", "Recife brokerage", "Draft workshop"
    }  # fmt: skip
    staff = api.token(Role.STAFF, ApiScope.READ)
    assert titles(api.get("/api/v1/events/", staff)) == {"Rabat info day", "Recife brokerage"}
    assert_error(api.get(f"/api/v1/events/{events['draft'].id}", staff), 404)


def test_filters(api, events):
    token = api.token(Role.ORGANISER, ApiScope.READ)
    assert titles(api.get("/api/v1/events/?category=b2b", token)) == {"Recife brokerage"}
    assert titles(api.get("/api/v1/events/?target_country=BR", token)) == {"Recife brokerage"}
    assert titles(api.get("/api/v1/events/?status=draft", token)) == {"Draft workshop"}
    assert titles(api.get("/api/v1/events/?q=rabat", token)) == {"Rabat info day"}
    between = f"/api/v1/events/?starts_from={RABAT.date()}&starts_to={DRAFT.date()}"
    assert titles(api.get(between, token)) == {"Rabat info day", "Draft workshop"}


def test_pages(api, events):
    token = api.token(Role.ORGANISER, ApiScope.READ)
    first = api.get("/api/v1/events/?per_page=2", token).get_json()
    second = api.get("/api/v1/events/?per_page=2&page=2", token).get_json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (3, 2, 2, 1)
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    beyond = api.get("/api/v1/events/?page=9", token).get_json()
    assert beyond["items"] == [] and beyond["total"] == 3


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "per_page=101",
        "page=x",
        "category=party",
        "target_country=XX",
        "target_country=br",
        "starts_from=2027-13-01",
        "surprise=1",
    ],
)
def test_bad_filters_are_422_with_the_fields(api, events, query):
    body = assert_error(api.get(f"/api/v1/events/?{query}", api.token(Role.STAFF, ApiScope.READ)), 422)
    assert query.split("=")[0] in body["errors"]["query"]


def test_read_one(api, events):
    event = events["recife"]
    body = api.get(f"/api/v1/events/{event.id}", api.token(Role.STAFF, ApiScope.READ)).get_json()
    assert body["slug"] == event.slug and body["category"] == "b2b" and body["target_country"] == "BR"
    assert body["starts_at"] == RECIFE.isoformat()  # e.g. "2027-05-10T09:00:00+00:00"


def test_unknown_event_is_404_json(api, events):
    assert_error(api.get("/api/v1/events/999999", api.token(Role.STAFF, ApiScope.READ)), 404)
    assert_error(api.get("/api/v1/no-such-thing", None), 404)
