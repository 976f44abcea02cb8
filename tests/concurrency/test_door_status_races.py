"""Races at the door (issue #13), made deterministic on PostgreSQL with ``race`` (see test_status_races).

A badge scanned while the registration is being cancelled must not welcome a just-cancelled person:
the scan loaded the registration (confirmed) before it waited for the cancellation's locks, and must
answer from what the cancellation left. Two undos of one check-in at once undo it once.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import func, select

from move_events.badges.tokens import make_badge_token
from move_events.checkin.lists import create_checkin_list
from move_events.checkin.models import CheckIn, CheckInList, CheckInListEntry, ScanResult
from move_events.checkin.presenters import outcome_json
from move_events.checkin.services import CheckInError, check_in_by_token, undo_check_in
from move_events.events.models import Event
from move_events.extensions import db as _db
from move_events.registration.services import cancel_registration
from tests.concurrency.test_status_races import race, registration
from tests.factories import make_event, participant_at

pytestmark = pytest.mark.postgres_only  # SQLite serialises writers on the file: no race to lose there


def _logged(result: ScanResult) -> int:
    return _db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.result == result))


def _scan(app: Flask, event_id: int, badge: str, list_id: int | None = None):
    """A door scan as the scan view makes it: the outcome, then the JSON answer the door shows."""

    def scan() -> dict:
        with app.test_request_context():
            event = _db.session.get(Event, event_id)
            checkin_list = _db.session.get(CheckInList, list_id) if list_id else None
            outcome = check_in_by_token(
                event=event, token=badge, user=None, nonce=uuid.uuid4().hex, checkin_list=checkin_list
            )
            return outcome_json(outcome, event)

    return scan


@pytest.mark.parametrize("on_list", [False, True], ids=["event", "list"])
def test_a_scan_racing_a_cancellation_does_not_welcome_the_cancelled_person(app: Flask, db, on_list: bool):
    event = make_event(published=True, capacity=10)
    list_id = create_checkin_list(event=event, name="Hall A", day=None).id if on_list else None
    seated = participant_at(event)
    with app.test_request_context():
        badge = make_badge_token(seated)
    seated_id = seated.id
    _db.session.commit()

    cancelled, scanned = race(
        app, lambda: cancel_registration(registration(seated_id)), _scan(app, event.id, badge, list_id)
    )

    assert (cancelled.error, scanned.error) == (None, None)
    answer = scanned.result
    assert (answer["result"], answer["ok"]) == (ScanResult.NOT_CONFIRMED.value, False)
    assert answer["undo_url"] == ""
    assert registration(seated_id).checked_in_at is None
    assert _logged(ScanResult.WELCOME) == 0
    assert _logged(ScanResult.NOT_CONFIRMED) == 1
    assert _db.session.scalar(select(func.count()).select_from(CheckInListEntry)) == 0


@pytest.mark.parametrize("on_list", [False, True], ids=["event", "list"])
def test_two_undos_at_once_undo_the_check_in_once(app: Flask, db, on_list: bool):
    event = make_event(published=True, capacity=10)
    checkin_list = create_checkin_list(event=event, name="Hall A", day=None) if on_list else None
    list_id = checkin_list.id if checkin_list else None
    seated = participant_at(event)
    with app.test_request_context():
        badge = make_badge_token(seated)
    outcome = check_in_by_token(event=event, token=badge, user=None, nonce="first", checkin_list=checkin_list)
    assert outcome.ok
    seated_id = seated.id
    _db.session.commit()

    def undo() -> CheckIn:
        chosen = _db.session.get(CheckInList, list_id) if list_id else None
        return undo_check_in(registration=registration(seated_id), user=None, checkin_list=chosen)

    first, second = race(app, undo, undo)

    assert first.error is None
    assert isinstance(second.error, CheckInError)  # "This person is not checked in."
    assert _logged(ScanResult.UNDONE) == 1
    assert registration(seated_id).checked_in_at is None
    assert _db.session.scalar(select(func.count()).select_from(CheckInListEntry)) == 0
