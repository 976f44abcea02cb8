"""The participant's meeting pages through the app: the whole request flow with real e-mail, answers,
availability, and that nobody sees or changes anyone else's meetings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from move_events.extensions import db
from move_events.meetings.booking import event_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus, Unavailability
from move_events.meetings.requests import accept_meeting, request_meeting
from tests.meetings.requests_support import meeting_event, participant_of, token_for
from tests.support import make_test_app


@pytest.fixture
def pair(app, db):
    event = meeting_event()
    a = participant_of(event, "Amina", language="fr")
    b = participant_of(event, "Bruno", language="en", offers="Ship design")
    return event, a, b, token_for(app, a), token_for(app, b)


def _meeting() -> Meeting:
    db.session.expire_all()
    return db.session.scalars(select(Meeting)).one()


def test_request_flow_with_real_email(client, smtp_server, pair):
    event, a, b, token_a, token_b = pair
    profile = client.get(f"/r/{token_a}/marketplace/{b.id}")
    assert "Ship design" in profile.get_data(as_text=True)

    sent = client.post(f"/r/{token_a}/marketplace/{b.id}/request", data={"message": "Talk about hulls?"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/r/{token_a}/meetings")
    (mail,) = smtp_server.wait_for_messages(1)
    assert mail["To"] == b.person.email
    assert a.person.full_name in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "Talk about hulls?" in body
    link = re.search(r"http://\S+/r/(\S+)/meetings", body)
    assert link, body
    assert a.person.email not in body

    incoming = client.get(f"/r/{link.group(1)}/meetings").get_data(as_text=True)  # B follows the mail
    meeting = _meeting()
    assert f'data-testid="incoming-{meeting.id}"' in incoming and "Talk about hulls?" in incoming
    outgoing = client.get(f"/r/{token_a}/meetings").get_data(as_text=True)
    assert f'data-testid="outgoing-{meeting.id}"' in outgoing

    start = event_slots(event)[2].start
    answer = client.post(
        f"/r/{token_b}/meetings/{meeting.id}/accept", data={f"m{meeting.id}-slot": start.isoformat()}
    )
    assert answer.status_code == 302
    meeting = _meeting()
    assert (meeting.status, meeting.slot_start, meeting.table_no) == (MeetingStatus.SCHEDULED, start, 1)
    accepted = smtp_server.wait_for_messages(2)[1]
    assert accepted["To"] == a.person.email  # in A's language (French)
    accepted_body = accepted.get_body(("plain",)).get_content()
    assert "Table" in accepted_body and str(start.astimezone().year) in accepted_body

    for token in (token_a, token_b):
        page = client.get(f"/r/{token}/meetings").get_data(as_text=True)
        assert f'data-testid="agreed-{meeting.id}"' in page
        assert "Table 1" in page


def test_accept_for_later_then_cancel_frees_nothing_and_tells_the_other(client, pair):
    _event, a, b, token_a, token_b = pair
    meeting = request_meeting(requester=a, counterpart=b)
    db.session.commit()
    client.post(f"/r/{token_b}/meetings/{meeting.id}/accept", data={f"m{meeting.id}-slot": ""})
    assert _meeting().status == MeetingStatus.ACCEPTED
    client.post(f"/r/{token_a}/meetings/{meeting.id}/cancel")
    assert _meeting().status == MeetingStatus.CANCELLED
    page = client.get(f"/r/{token_b}/meetings").get_data(as_text=True)
    assert f'data-testid="closed-{meeting.id}"' in page and "Cancelled" in page


def test_cancel_a_scheduled_meeting_frees_the_seats(client, pair):
    event, a, b, token_a, _token_b = pair
    meeting = request_meeting(requester=a, counterpart=b)
    accept_meeting(meeting=meeting, by=b, slot_start=event_slots(event)[0].start)
    db.session.commit()
    client.post(f"/r/{token_a}/meetings/{meeting.id}/cancel")
    assert _meeting().status == MeetingStatus.CANCELLED
    assert db.session.scalars(select(MeetingBooking)).all() == []


def test_decline(client, pair):
    _event, a, b, token_a, token_b = pair
    meeting = request_meeting(requester=a, counterpart=b)
    db.session.commit()
    client.post(f"/r/{token_b}/meetings/{meeting.id}/decline")
    assert _meeting().status == MeetingStatus.DECLINED
    page = client.get(f"/r/{token_a}/meetings").get_data(as_text=True)
    assert f'data-testid="closed-{meeting.id}"' in page and "Declined" in page


def test_request_refused_shows_the_reason_next_to_the_message(client, pair):
    _event, a, b, token_a, _token_b = pair
    request_meeting(requester=b, counterpart=a)
    db.session.commit()
    response = client.post(f"/r/{token_a}/marketplace/{b.id}/request", data={"message": "Me too"})
    assert response.status_code == 422
    assert "already have a meeting or an open request" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Meeting)).all()) == 1


def test_the_requester_cannot_accept_their_own_request(client, pair):
    _event, a, b, token_a, _token_b = pair
    meeting = request_meeting(requester=a, counterpart=b)
    db.session.commit()
    response = client.post(f"/r/{token_a}/meetings/{meeting.id}/accept", follow_redirects=True)
    assert "Only the person asked" in response.get_data(as_text=True)
    assert _meeting().status == MeetingStatus.REQUESTED


@pytest.mark.parametrize("action", ["accept", "decline", "cancel"])
def test_a_third_participant_gets_404_for_someone_elses_meeting(app, client, pair, action):
    event, a, b, _token_a, _token_b = pair
    meeting = request_meeting(requester=a, counterpart=b)
    db.session.commit()
    outsider = token_for(app, participant_of(event, "Chen"))
    assert client.post(f"/r/{outsider}/meetings/{meeting.id}/{action}").status_code == 404
    assert _meeting().status == MeetingStatus.REQUESTED
    page = client.get(f"/r/{outsider}/meetings").get_data(as_text=True)
    assert a.person.full_name not in page and b.person.full_name not in page


@pytest.mark.parametrize("action", ["accept", "decline", "cancel"])
def test_a_token_of_another_event_gets_404(app, client, pair, action):
    _event, a, b, _token_a, _token_b = pair
    meeting = request_meeting(requester=a, counterpart=b)
    db.session.commit()
    elsewhere = token_for(app, participant_of(meeting_event(), "Xavier"))
    assert client.post(f"/r/{elsewhere}/meetings/{meeting.id}/{action}").status_code == 404
    assert _meeting().status == MeetingStatus.REQUESTED


def test_an_expired_request_shows_muted_and_cannot_be_accepted(client, pair):
    from datetime import timedelta

    from move_events.db_types import utcnow

    _event, a, b, token_a, token_b = pair
    meeting = request_meeting(requester=a, counterpart=b, now=utcnow() - timedelta(days=8))
    db.session.commit()
    page = client.get(f"/r/{token_a}/meetings").get_data(as_text=True)  # the page expires it
    assert f'data-testid="closed-{meeting.id}"' in page and "Expired" in page
    client.post(f"/r/{token_b}/meetings/{meeting.id}/accept")
    assert _meeting().status == MeetingStatus.EXPIRED


def test_availability_saves_the_set_and_refuses_a_slot_with_a_meeting(client, pair):
    event, a, b, token_a, _token_b = pair
    starts = [slot.start.isoformat() for slot in event_slots(event)]
    page = client.get(f"/r/{token_a}/availability").get_data(as_text=True)
    assert page.count('name="unavailable"') == len(starts)

    assert client.post(f"/r/{token_a}/availability", data={"unavailable": starts[:2]}).status_code == 302
    client.post(f"/r/{token_a}/availability", data={"unavailable": [starts[3]]})
    saved = db.session.scalars(
        select(Unavailability.slot_start).where(Unavailability.registration_id == a.id)
    )
    assert [s.isoformat() for s in saved] == [starts[3]]

    meeting = request_meeting(requester=a, counterpart=b)
    accept_meeting(meeting=meeting, by=b, slot_start=event_slots(event)[1].start)
    db.session.commit()
    refused = client.post(f"/r/{token_a}/availability", data={"unavailable": [starts[1], starts[3]]})
    assert refused.status_code == 200
    assert "You already have a meeting at" in refused.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.scalars(
        select(Unavailability.slot_start).where(Unavailability.registration_id == a.id)
    )
    assert [s.isoformat() for s in saved] == [starts[3]]  # nothing half-saved


@pytest.fixture
def csrf_app(database_url, db):
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True, OUTBOX_DELIVER_AFTER_REQUEST=False)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_answer_forms_carry_their_csrf_tokens(csrf_app, pair):
    """With CSRF on (as in production), each answer form posts its own token; without one, nothing."""
    _event, a, b, _token_a, token_b = pair  # the same secret key: the link works in both apps
    meeting = request_meeting(requester=a, counterpart=b)
    db.session.commit()
    client = csrf_app.test_client()
    assert client.post(f"/r/{token_b}/meetings/{meeting.id}/accept").status_code == 400
    page = client.get(f"/r/{token_b}/meetings").get_data(as_text=True)
    csrf = re.search(rf'name="m{meeting.id}-csrf_token"[^>]*value="([^"]+)"', page)
    assert csrf, page
    client.post(
        f"/r/{token_b}/meetings/{meeting.id}/accept",
        data={f"m{meeting.id}-csrf_token": csrf.group(1), f"m{meeting.id}-slot": ""},
    )
    assert _meeting().status == MeetingStatus.ACCEPTED
