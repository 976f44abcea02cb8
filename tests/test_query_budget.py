"""Query budgets (issue #14): a page costs the same number of SQL statements whatever its number of rows.

Each test renders a page with few rows and with many, and asserts the two counts are equal: a
statement per row (a lazy relationship, a helper called in a loop) shows as a difference. The counts
are also held under a small budget, so that a constant cost does not creep up unnoticed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.lists import create_checkin_list
from move_events.checkin.models import ScanDirection
from move_events.checkin.presenters import counts_json
from move_events.checkin.services import check_in_by_token
from move_events.db_types import utcnow
from move_events.meetings.models import MeetingStatus
from move_events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event, meeting_between, participant_at, token_for
from tests.meetings.requests_support import meeting_event
from tests.query_budget import count_queries


def _count(client, url: str) -> tuple[int, str]:
    """Statements sent while the client GETs ``url`` (which must answer 200), and their listing."""
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return queries.count, queries.report()


def _assert_flat(few: tuple[int, str], many: tuple[int, str], budget: int) -> None:
    assert few[0] == many[0], f"few rows:\n{few[1]}\n\nmany rows:\n{many[1]}"
    assert many[0] <= budget, many[1]


# --- The participant's meetings page ----------------------------------------------------------------

KINDS = ("incoming", "outgoing", "scheduled", "closed")


def _busy_participant(rows: int):
    """An event where "me" has ``rows`` meetings, cycling through the page's four sections, each with a
    different person (at an organisation of their own)."""
    starts = utcnow().replace(microsecond=0, second=0) + timedelta(days=30)
    event = meeting_event(
        slots=rows // 4 + 2, tables=4, starts_at=starts, ends_at=starts + timedelta(hours=12)
    )
    me = participant_at(event, "Me")
    later = utcnow() + timedelta(days=5)
    for n in range(rows):
        other = participant_at(event, f"Other{n}")
        kind = KINDS[n % 4]
        if kind == "incoming":
            meeting_between(other, me, status=MeetingStatus.REQUESTED).expires_at = later
        elif kind == "outgoing":
            meeting_between(me, other, status=MeetingStatus.REQUESTED).expires_at = later
        elif kind == "scheduled":
            meeting_between(me, other, slot=n // 4)
        else:
            meeting_between(other, me, status=MeetingStatus.DECLINED)
    return me


def test_meetings_page_queries_do_not_grow_with_meetings(app, client, db):
    few, many = _busy_participant(4), _busy_participant(60)
    db.session.commit()
    few_url, many_url = (f"/r/{token_for(app, r)}/meetings" for r in (few, many))
    client.get(few_url)  # first request: one-off work (caches) out of the count
    counted_few, counted_many = _count(client, few_url), _count(client, many_url)
    assert "Other59" in client.get(many_url).get_data(as_text=True)
    _assert_flat(counted_few, counted_many, budget=13)  # 11 when written


# --- The marketplace (participant's and staff's) -------------------------------------------------------


def _market(people: int):
    event = meeting_event()
    me = participant_at(event, "Me", offers="Port logistics")
    for n in range(people):
        participant_at(event, f"Person{n}", offers=f"Offer {n}", org_sectors=["Logistics"])
    return event, me


def test_marketplace_queries_do_not_grow_with_participants(app, client, db):
    (_, few), (_, many) = _market(5), _market(100)
    few_url, many_url = (f"/r/{token_for(app, r)}/marketplace" for r in (few, many))
    client.get(few_url)
    _assert_flat(_count(client, few_url), _count(client, many_url), budget=10)  # 8 when written


def test_staff_marketplace_queries_do_not_grow_with_participants(client, db, auth):
    (few, _), (many, _) = _market(5), _market(100)
    auth.login(Role.STAFF)
    few_url, many_url = (f"/manage/events/{e.id}/marketplace" for e in (few, many))
    client.get(few_url)
    _assert_flat(_count(client, few_url), _count(client, many_url), budget=7)  # 5 when written


# --- The door's name search ---------------------------------------------------------------------------


@pytest.fixture
def door_event(db):
    """An event with 2 people called Alaoui and 50 called Bennani, each at an organisation of their own."""
    event = make_event(published=True)
    for n in range(2):
        participant_at(event, f"Youssef{n}", "Alaoui")
    for n in range(50):
        participant_at(event, f"Karim{n}", "Bennani")
    return event


@pytest.mark.parametrize(
    ("page", "on_list", "budget"),  # when written: 3, 5 (the list, who of the matches is on it), 6, 8
    [("search", False, 5), ("search", True, 7), ("door", False, 8), ("door", True, 10)],
)
def test_door_name_search_queries_do_not_grow_with_matches(
    client, db, auth, door_event, page, on_list, budget
):
    auth.login(Role.STAFF)
    path = f"/checkin/{door_event.id}/search" if page == "search" else f"/checkin/{door_event.id}"
    if on_list:
        checkin_list = create_checkin_list(event=door_event, name="Day 1", day=None)
        db.session.commit()
        path += f"?list={checkin_list.id}&q="
    else:
        path += "?q="
    client.get(path + "alaoui")
    _assert_flat(_count(client, path + "alaoui"), _count(client, path + "bennani"), budget=budget)


# --- The door's live counter (every scan's answer carries it) ------------------------------------------


def scan(**kwargs):
    return check_in_by_token(user=None, nonce=uuid.uuid4().hex, **kwargs)


@pytest.mark.parametrize("on_list", [False, True])
def test_door_counter_is_one_statement(db, door_event, on_list):
    """arrived / expected / inside (and the list's arrived) in one statement, as the scan answer needs:
    2 before, 4 with a list. The numbers are checked against the rules: a waitlisted person counts
    nowhere, an exit leaves the arrived count alone, the list counts its own entries."""
    people = db.session.scalars(select(Registration).where(Registration.event_id == door_event.id)).all()
    first, second, third, *_ = people
    participant_at(door_event, "Wanda", "Waiting", status=RegistrationStatus.WAITLISTED)
    checkin_list = create_checkin_list(event=door_event, name="Day 1", day=None) if on_list else None
    for registration in (first, second, third):
        on = checkin_list if registration is not third else None
        scan(event=door_event, token=make_badge_token(registration), checkin_list=on)
    scan(event=door_event, token=make_badge_token(second), direction=ScanDirection.EXIT)
    db.session.commit()
    for loaded in filter(None, (door_event, checkin_list)):
        db.session.refresh(loaded)  # as the door's view holds them: loaded before the counter
    with count_queries() as queries:
        counts = counts_json(door_event, checkin_list)
    expected = {"arrived": 3, "expected": len(people), "inside": 2}
    if on_list:
        expected |= {"list_arrived": 2, "list_expected": len(people)}
    assert counts == expected
    assert queries.count == 1, queries.report()


# --- Pages that already load in constant queries: guards against a regression ----------------------------


def test_agenda_page_queries_do_not_grow_with_meetings(app, client, db):
    few, many = _busy_participant(4), _busy_participant(60)
    few_url, many_url = (f"/r/{token_for(app, r)}/agenda" for r in (few, many))
    client.get(few_url)
    _assert_flat(_count(client, few_url), _count(client, many_url), budget=14)  # 12 when written


@pytest.mark.parametrize(
    ("path", "budget"),  # when written: 12, 7, 10
    [
        ("/manage/events/{}/meetings", 14),
        ("/manage/events/{}/registrations/", 9),
        ("/manage/events/{}/table-plan", 12),
    ],
)
def test_organiser_lists_queries_do_not_grow_with_rows(client, db, auth, path, budget):
    few, many = _busy_participant(4).event, _busy_participant(60).event
    auth.login(Role.ADMIN)
    client.get(path.format(few.id))
    _assert_flat(_count(client, path.format(few.id)), _count(client, path.format(many.id)), budget=budget)


# --- The organiser's check-in lists page ------------------------------------------------------------


def _event_with_lists(lists: int):
    """An event with ``lists`` check-in lists (no day), three confirmed people, two on every list."""
    from move_events.extensions import db as _db

    event = make_event(published=True)
    people = [participant_at(event, f"Salma{n}") for n in range(3)]
    for n in range(lists):
        checkin_list = create_checkin_list(event=event, name=f"Room {n}", day=None)
        for person in people[:2]:
            token = make_badge_token(person)
            check_in_by_token(event=event, token=token, user=None, nonce=None, checkin_list=checkin_list)
    _db.session.commit()
    return event


def test_checkin_lists_page_queries_do_not_grow_with_lists(client, db, auth):
    few, many = _event_with_lists(1), _event_with_lists(8)
    auth.login(Role.ADMIN)
    url = "/checkin/{}/lists"
    client.get(url.format(few.id))
    page = client.get(url.format(many.id)).text
    assert page.count("2 / 3") == 8  # every list: two of the three confirmed people arrived
    _assert_flat(_count(client, url.format(few.id)), _count(client, url.format(many.id)), budget=8)
