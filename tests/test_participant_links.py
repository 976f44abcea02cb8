"""The participant-link "role": a personal link opens its own registration's pages and nothing else.

Walks every route that takes a personal-link token (like tests/test_role_matrix.py walks the staff
routes), with every method, and checks that a forged link, a link of another event's participant, and a
link of a third participant of the same event can neither read nor change the meeting of two others.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingStatus, Unavailability
from move_events.registration.models import Registration
from tests.meetings.requests_support import meeting_event, participant_of, token_for

FORGED = "eyJyIjoxfQ.forged.signature"


@pytest.fixture
def people(app, db):
    event = meeting_event(title="Brokerage Tanger")
    amina, bruno, chen = (participant_of(event, name) for name in ("Amina", "Bruno", "Chen"))
    elsewhere = participant_of(meeting_event(title="Brokerage Recife"), "Dana")
    meeting = Meeting(event=event, requester=amina, counterpart=bruno, message="Hydrogen ports?")
    _db.session.add(meeting)
    _db.session.commit()
    return {
        "meeting": meeting,
        "bruno": bruno,
        "chen": token_for(app, chen),
        "elsewhere": token_for(app, elsewhere),
    }


def _state() -> tuple:
    """Everything a personal link can change."""
    return (
        tuple(_db.session.execute(select(Meeting.id, Meeting.status, Meeting.slot_start)).all()),
        tuple(_db.session.execute(select(Registration.id, Registration.status, Registration.offers)).all()),
        _db.session.scalar(select(func.count()).select_from(Unavailability)),
    )


def _token_routes(app, token: str, ids: dict):
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments:
            continue
        args = {"token": token, **{name: ids[name] for name in rule.arguments if name != "token"}}
        path = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, path


def test_forged_links_open_nothing_and_change_nothing(app, client, people):
    ids = {"meeting_id": people["meeting"].id, "other_registration_id": people["bruno"].id}
    before = _state()
    for _rule, method, path in _token_routes(app, FORGED, ids):
        response = client.open(path, method=method, data={"offers": "x", "given_name": "X"})
        assert response.status_code == 404, f"{method} {path}"
    _db.session.expire_all()
    assert _state() == before


@pytest.mark.parametrize("who", ["elsewhere", "chen"])
def test_a_link_never_reaches_the_meeting_of_two_others(app, client, people, who):
    """``elsewhere``: a participant of another event; ``chen``: of the same event, not in the meeting."""
    ids = {"meeting_id": people["meeting"].id, "other_registration_id": people["bruno"].id}
    before = _state()
    for rule, method, path in _token_routes(app, people[who], ids):
        if "meeting_id" not in rule.arguments and not (
            who == "elsewhere" and "other_registration_id" in rule.arguments
        ):
            continue  # their own pages (and, in the same event, other people's public profiles) are theirs
        response = client.open(path, method=method, data={"slot": "", "outcome": "informative"})
        assert response.status_code == 404, f"{who}: {method} {path}"
        assert "Hydrogen ports?" not in response.get_data(as_text=True)
    _db.session.expire_all()
    assert _state() == before
    assert _db.session.get(Meeting, people["meeting"].id).status == MeetingStatus.REQUESTED
