"""A side's outcome page through the personal link: rating, follow-up, and who may open it."""

from __future__ import annotations

from datetime import timedelta

from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingOutcome, MeetingStatus
from tests.meetings.planning_support import brokerage, meeting_between, person_at, token_for


def _url(token, meeting):
    return f"/r/{token}/meetings/{meeting.id}/outcome"


def _fresh(db, meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def test_side_rates_then_adds_follow_up(app, client, db):
    event = brokerage(starts_in=timedelta(minutes=-45))
    a, b = person_at(event, "Amina"), person_at(event, "Bruno")
    meeting = meeting_between(a, b, slot=0)
    meeting.organiser_notes = "Seat them near the exit"
    db.session.commit()
    token = token_for(app, b)
    page = client.get(_url(token, meeting)).get_data(as_text=True)
    assert "Seat them near the exit" not in page  # organiser notes are never shown to participants
    assert "Amina" in page and "Cooperation possible" in page and "Follow-up" not in page
    response = client.post(_url(token, meeting), data={"form": "rating", "outcome": "cooperation_possible"})
    assert response.status_code == 302
    meeting = _fresh(db, meeting)
    assert meeting.counterpart_outcome == MeetingOutcome.COOPERATION_POSSIBLE
    assert meeting.status == MeetingStatus.COMPLETED  # held on this side's word, no organiser mark
    page = client.get(_url(token, meeting)).get_data(as_text=True)
    assert "Follow-up" in page
    client.post(
        _url(token, meeting), data={"form": "follow_up", "follow_up": "negotiation_started", "note": "Pilot"}
    )
    meeting = _fresh(db, meeting)
    assert meeting.follow_up == MeetingFollowUp.NEGOTIATION_STARTED and meeting.follow_up_note == "Pilot"
    other_side = client.get(_url(token_for(app, a), meeting)).get_data(as_text=True)
    assert "Pilot" not in other_side  # the note is for organisers, not the other side


def test_rating_before_the_slot_is_refused(app, client, db):
    event = brokerage()  # 30 days ahead
    a, b = person_at(event), person_at(event)
    meeting = meeting_between(a, b, slot=0)
    token = token_for(app, a)
    assert "once its time has come" in client.get(_url(token, meeting)).get_data(as_text=True)
    response = client.post(
        _url(token, meeting), data={"form": "rating", "outcome": "informative"}, follow_redirects=True
    )
    assert "once its time has come" in response.get_data(as_text=True)
    assert _fresh(db, meeting).requester_outcome is None


def test_participant_cannot_rate_a_meeting_they_are_not_in(app, client, db):
    event = brokerage(starts_in=timedelta(minutes=-45))
    meeting = meeting_between(person_at(event), person_at(event), slot=0)
    stranger = token_for(app, person_at(event))
    assert client.get(_url(stranger, meeting)).status_code == 404
    response = client.post(_url(stranger, meeting), data={"form": "rating", "outcome": "did_not_take_place"})
    assert response.status_code == 404
    meeting = _fresh(db, meeting)
    assert meeting.requester_outcome is None and meeting.counterpart_outcome is None
    assert meeting.status == MeetingStatus.SCHEDULED


def test_bad_link_is_refused(client, db):
    event = brokerage(starts_in=timedelta(minutes=-45))
    meeting = meeting_between(person_at(event), person_at(event), slot=0)
    assert client.get(_url("not-a-token", meeting)).status_code == 404
