"""Check-in lists per day: once per list, the first arrival kept, undo, counts, two doors at once."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.lists import (
    CheckInListError,
    create_checkin_list,
    delete_checkin_list,
    event_days,
    list_arrival_counts,
)
from move_events.checkin.models import CheckIn, CheckInListEntry, ScanResult
from move_events.checkin.queries import arrival_counts
from move_events.checkin.services import CheckInError, check_in_by_token, undo_check_in
from move_events.extensions import db as _db
from tests.factories import make_event, register, upcoming

STARTS = upcoming(3, 4, 8)  # 08:00 UTC (08:00 or 09:00 in Casablanca), two days; never in the past
DAY1, DAY2, DAY3 = (STARTS.date() + timedelta(days=n) for n in range(3))
DAY1_AT = STARTS + timedelta(minutes=15)
DAY2_AT = STARTS + timedelta(days=1, minutes=40)


@pytest.fixture
def door_staff(auth):
    return auth.user(Role.STAFF)


@pytest.fixture
def event(db):
    return make_event(
        published=True,
        title="Smart Ports Brokerage Tanger",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=32),
    )


@pytest.fixture
def days(event):
    day1 = create_checkin_list(event=event, name="Day 1", day=DAY1)
    day2 = create_checkin_list(event=event, name="Day 2", day=DAY2)
    _db.session.commit()
    return day1, day2


def scan(event, token, user, checkin_list, *, now=None, door="North", nonce=None):
    outcome = check_in_by_token(
        event=event,
        token=token,
        user=user,
        nonce=nonce or uuid.uuid4().hex,
        door=door,
        now=now,
        checkin_list=checkin_list,
    )
    _db.session.commit()
    return outcome


def test_event_days_are_the_local_calendar_days():
    from move_events.events.models import Event

    late = Event(
        timezone="Asia/Tokyo",
        starts_at=datetime(2027, 3, 4, 23, 0, tzinfo=UTC),  # 08:00 on the 5th in Tokyo
        ends_at=datetime(2027, 3, 6, 15, 0, tzinfo=UTC),  # midnight: the 6th itself is not a day of it
    )
    assert event_days(late) == [date(2027, 3, 5), date(2027, 3, 6)]


def test_welcome_once_per_list_and_the_first_arrival_stays(event, days, door_staff, auth):
    day1, day2 = days
    registration = register(event, given_name="Salma", family_name="Tazi")
    token = make_badge_token(registration)

    first = scan(event, token, door_staff, day1, now=DAY1_AT)
    assert first.result is ScanResult.WELCOME and first.checked_in_at == DAY1_AT
    again = scan(
        event, token, auth.user(Role.ORGANISER), day1, now=DAY1_AT + timedelta(hours=2), door="South"
    )
    assert again.result is ScanResult.ALREADY_CHECKED_IN
    assert (again.checked_in_at, again.checked_in_by, again.door) == (DAY1_AT, door_staff.name, "North")
    assert again.checkin_list is day1

    second_day = scan(event, token, door_staff, day2, now=DAY2_AT, door="Hall B")
    assert second_day.result is ScanResult.WELCOME and second_day.checked_in_at == DAY2_AT
    _db.session.refresh(registration)
    assert registration.checked_in_at == DAY1_AT  # the KPI report's "attended": first arrival at the event
    assert scan(event, token, door_staff, day2).result is ScanResult.ALREADY_CHECKED_IN

    logged = _db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()
    assert [(e.checkin_list_id, e.result) for e in logged] == [
        (day1.id, ScanResult.WELCOME),
        (day1.id, ScanResult.ALREADY_CHECKED_IN),
        (day2.id, ScanResult.WELCOME),
        (day2.id, ScanResult.ALREADY_CHECKED_IN),
    ]


def test_a_person_checked_in_for_the_event_is_still_welcomed_on_a_list(event, days, door_staff):
    registration = register(event)
    token = make_badge_token(registration)
    assert scan(event, token, door_staff, None, now=DAY1_AT).result is ScanResult.WELCOME
    assert scan(event, token, door_staff, days[1], now=DAY2_AT).result is ScanResult.WELCOME
    _db.session.refresh(registration)
    assert registration.checked_in_at == DAY1_AT


def test_a_replayed_nonce_on_a_list_returns_the_list_answer(event, days, door_staff):
    token = make_badge_token(register(event))
    scan(event, token, door_staff, days[0], now=DAY1_AT)
    original = scan(event, token, door_staff, days[0], nonce="retry-7")
    replayed = scan(event, token, door_staff, days[0], nonce="retry-7")
    assert replayed.replayed and replayed.result is original.result is ScanResult.ALREADY_CHECKED_IN
    assert replayed.checked_in_at == DAY1_AT and replayed.checkin_list == days[0]


def test_refused_badges_are_not_entered_on_the_list(event, days, door_staff):
    from move_events.registration.models import RegistrationStatus

    cancelled = register(event)
    cancelled.status = RegistrationStatus.CANCELLED
    _db.session.commit()
    assert scan(event, make_badge_token(cancelled), door_staff, days[0]).result is ScanResult.NOT_CONFIRMED
    assert scan(event, "garbage", door_staff, days[0]).result is ScanResult.INVALID
    assert _db.session.scalars(select(CheckInListEntry)).all() == []
    assert list_arrival_counts(days[0]) == (0, 0)


def test_undo_on_a_list_moves_the_first_arrival_to_the_next_entry(event, days, door_staff):
    day1, day2 = days
    registration = register(event)
    token = make_badge_token(registration)
    scan(event, token, door_staff, day1, now=DAY1_AT)
    scan(event, token, door_staff, day2, now=DAY2_AT)

    undo_check_in(registration=registration, user=door_staff, checkin_list=day1)
    _db.session.commit()
    assert registration.checked_in_at == DAY2_AT  # the mistaken day-1 scan no longer counts
    assert list_arrival_counts(day1) == (0, 1) and list_arrival_counts(day2) == (1, 1)
    with pytest.raises(CheckInError, match="not checked in on this list"):
        undo_check_in(registration=registration, user=door_staff, checkin_list=day1)

    undo_check_in(registration=registration, user=door_staff, checkin_list=day2)
    _db.session.commit()
    assert registration.checked_in_at is None and arrival_counts(event) == (0, 1)
    undone = _db.session.scalars(select(CheckIn).where(CheckIn.result == ScanResult.UNDONE)).all()
    assert [e.checkin_list_id for e in undone] == [day1.id, day2.id]
    assert scan(event, token, door_staff, day1).result is ScanResult.WELCOME  # can enter again


def test_list_counts_are_per_list(event, days, door_staff):
    day1, day2 = days
    people = [register(event) for _ in range(3)]
    for person in people[:2]:
        scan(event, make_badge_token(person), door_staff, day1)
    scan(event, make_badge_token(people[2]), door_staff, day2)
    assert list_arrival_counts(day1) == (2, 3)
    assert list_arrival_counts(day2) == (1, 3)
    assert arrival_counts(event) == (3, 3)


def test_list_rules_day_in_the_event_and_no_twin_names(event, days):
    with pytest.raises(CheckInListError, match="one of the event's days"):
        create_checkin_list(event=event, name="Day 3", day=DAY3)
    with pytest.raises(CheckInListError, match="already has a list"):
        create_checkin_list(event=event, name="  day   1 ", day=DAY1)
    with pytest.raises(CheckInListError, match="name"):
        create_checkin_list(event=event, name="   ", day=None)
    room = create_checkin_list(event=event, name="Day 1", day=None)  # another "day": a room, every day
    assert (room.name, room.day) == ("Day 1", None)


def test_a_used_list_cannot_be_deleted(event, days, door_staff):
    day1, day2 = days
    scan(event, make_badge_token(register(event)), door_staff, day1)
    with pytest.raises(CheckInListError, match="cannot be deleted"):
        delete_checkin_list(checkin_list=day1)
    delete_checkin_list(checkin_list=day2)
    _db.session.commit()
    assert [item.name for item in _db.session.scalars(select(type(day1)))] == ["Day 1"]


@pytest.mark.postgres_only  # the race is meaningful on PostgreSQL (SQLite serialises writers on the file)
def test_two_doors_scanning_one_badge_on_one_list_give_one_welcome(app, event, days, door_staff):
    registrations = [register(event) for _ in range(12)]
    tokens = [make_badge_token(r) for r in registrations]
    event_id, user_id = event.id, door_staff.id
    list_ids = [item.id for item in days]

    def door(name, token, list_id, barrier, results):
        from move_events.auth.models import User
        from move_events.checkin.models import CheckInList
        from move_events.events.models import Event

        with app.app_context():
            barrier.wait()
            outcome = check_in_by_token(
                event=_db.session.get(Event, event_id),
                token=token,
                user=_db.session.get(User, user_id),
                nonce=uuid.uuid4().hex,
                door=name,
                checkin_list=_db.session.get(CheckInList, list_id),
            )
            _db.session.commit()
            results.append(outcome.result)
            _db.session.remove()

    for list_id in list_ids:  # day 1, then day 2: each a separate welcome, each exactly once
        for token in tokens:
            barrier, results = threading.Barrier(2), []
            threads = [
                threading.Thread(target=door, args=(n, token, list_id, barrier, results)) for n in ("A", "B")
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert sorted(results) == sorted([ScanResult.WELCOME, ScanResult.ALREADY_CHECKED_IN])
    _db.session.expire_all()
    assert [list_arrival_counts(item) for item in days] == [(12, 12), (12, 12)]
    assert arrival_counts(event) == (12, 12)
    assert len(_db.session.scalars(select(CheckInListEntry)).all()) == 24


def test_an_event_level_scan_after_list_days_names_the_first_arrival(event, days, door_staff):
    token = make_badge_token(register(event))
    scan(event, token, door_staff, days[0], now=DAY1_AT, door="North")
    scan(event, token, door_staff, days[1], now=DAY2_AT, door="Hall B")
    again = scan(event, token, door_staff, None, door="Desk")
    assert again.result is ScanResult.ALREADY_CHECKED_IN
    assert (again.checked_in_at, again.door) == (DAY1_AT, "North")
