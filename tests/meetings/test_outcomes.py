"""Marks, ratings and follow-ups, how they combine, and what the KPI report then counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.directory.models import OrganisationKind
from move_events.events.models import EventCategory
from move_events.meetings.booking import event_slots
from move_events.meetings.models import MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.meetings.outcomes import (
    OutcomeError,
    mark_meeting,
    mark_slot,
    rate_meeting,
    record_follow_up,
    revert_mark,
    status_from_ratings,
)
from move_events.reports.queries import ReportFilter, events_and_meetings
from tests.meetings.planning_support import brokerage, meeting_between, person_at

SCHEDULED, COMPLETED, NO_SHOW = MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW
GONE, INFO, COOP = (
    MeetingOutcome.DID_NOT_TAKE_PLACE,
    MeetingOutcome.INFORMATIVE,
    MeetingOutcome.COOPERATION_POSSIBLE,
)


@pytest.fixture
def organiser(db):
    user = create_user(email="planner@example.org", password="x" * 12, role=Role.ORGANISER, name="Planner")
    db.session.commit()
    return user


def _started_meeting(**kw):
    event = brokerage(starts_in=timedelta(minutes=-45), **kw)  # slot 0 started 45 min ago, slot 2 is ahead
    a, b = person_at(event), person_at(event)
    return meeting_between(a, b, status=MeetingStatus.ACCEPTED, slot=0)


def test_organiser_mark_before_slot_is_refused(db, organiser):
    meeting = _started_meeting()
    meeting.slot_start = event_slots(meeting.event)[3].start  # in the future
    with pytest.raises(OutcomeError, match="not started yet"):
        mark_meeting(meeting, status=COMPLETED, by=organiser)


def test_organiser_mark_and_revert(db, organiser):
    meeting = _started_meeting()
    mark_meeting(meeting, status=NO_SHOW, by=organiser)
    assert (meeting.status, meeting.marked_by_organiser, meeting.marked_by_id) == (
        NO_SHOW,
        True,
        organiser.id,
    )
    assert meeting.marked_at is not None
    mark_meeting(meeting, status=COMPLETED, by=organiser)  # changed mind
    assert meeting.status == COMPLETED
    revert_mark(meeting)
    assert (meeting.status, meeting.marked_by_organiser, meeting.marked_at) == (SCHEDULED, False, None)
    with pytest.raises(OutcomeError, match="nothing to undo"):
        revert_mark(meeting)


def test_mark_slot_marks_unmarked_meetings_of_the_slot_only(db, organiser):
    event = brokerage(starts_in=timedelta(minutes=-45), tables=3)
    a, b, c, d, e, f = (person_at(event) for _ in range(6))
    one, two = meeting_between(a, b, slot=0), meeting_between(c, d, slot=0)
    later = meeting_between(e, f, slot=1)
    mark_meeting(two, status=NO_SHOW, by=organiser)
    db.session.commit()
    assert mark_slot(event, start=event_slots(event)[0].start, status=COMPLETED, by=organiser) == 1
    db.session.commit()
    assert (one.status, two.status, later.status) == (COMPLETED, NO_SHOW, SCHEDULED)
    with pytest.raises(OutcomeError, match="not started yet"):
        mark_slot(event, start=event_slots(event)[3].start, status=COMPLETED, by=organiser)


@pytest.mark.parametrize(
    "requester, counterpart, expected",
    [
        (None, None, SCHEDULED),
        (INFO, None, COMPLETED),  # a side may mark its own meeting held when no organiser did
        (COOP, MeetingOutcome.INSUFFICIENT_INTEREST, COMPLETED),
        (GONE, None, NO_SHOW),
        (GONE, GONE, NO_SHOW),
        (COOP, GONE, SCHEDULED),  # the sides disagree: left for an organiser to decide
    ],
)
def test_status_from_ratings(db, requester, counterpart, expected):
    meeting = _started_meeting()
    for side, outcome in (("requester", requester), ("counterpart", counterpart)):
        if outcome is not None:
            registration = meeting.requester if side == "requester" else meeting.counterpart
            rate_meeting(meeting, registration=registration, outcome=outcome)
    assert status_from_ratings(meeting) == expected
    assert meeting.status == expected


def test_side_rating_never_overrides_an_organiser_mark(db, organiser):
    meeting = _started_meeting()
    mark_meeting(meeting, status=COMPLETED, by=organiser)
    rate_meeting(meeting, registration=meeting.counterpart, outcome=GONE)
    assert meeting.status == COMPLETED and meeting.counterpart_outcome == GONE
    assert meeting.counterpart_rated_at is not None
    revert_mark(meeting)  # back to the sides' word
    assert meeting.status == NO_SHOW


def test_rating_refused_for_outsiders_and_before_the_slot(db):
    meeting = _started_meeting()
    stranger = person_at(meeting.event)
    with pytest.raises(OutcomeError, match="not one of your meetings"):
        rate_meeting(meeting, registration=stranger, outcome=COOP)
    future = meeting_between(person_at(meeting.event), person_at(meeting.event), slot=3)
    with pytest.raises(OutcomeError, match="once its time has come"):
        rate_meeting(future, registration=future.requester, outcome=COOP)


def test_follow_up_only_for_held_meetings(db, organiser):
    meeting = _started_meeting()
    with pytest.raises(OutcomeError, match="recorded as held"):
        record_follow_up(
            meeting, registration=meeting.requester, follow_up=MeetingFollowUp.NEGOTIATION_STARTED
        )
    mark_meeting(meeting, status=COMPLETED, by=organiser)
    record_follow_up(
        meeting,
        registration=meeting.counterpart,
        follow_up=MeetingFollowUp.AGREEMENT_REACHED,
        note=" Signed ",
    )
    assert meeting.follow_up == MeetingFollowUp.AGREEMENT_REACHED and meeting.follow_up_note == "Signed"
    assert meeting.follow_up_by_id == meeting.counterpart_id and meeting.follow_up_at is not None


def test_completed_meetings_count_as_b2b_or_c2c_in_the_kpi_report(db, organiser):
    """Two SMEs: B2B; a cluster and an intermediary: C2C; a no-show and an unmarked one: nowhere."""
    event = brokerage(
        starts_in=timedelta(minutes=-45), tables=4, category=EventCategory.B2B, target_country="MA"
    )
    sme_a, sme_b = person_at(event, kind=OrganisationKind.SME), person_at(event, kind=OrganisationKind.SME)
    cluster = person_at(event, kind=OrganisationKind.CLUSTER)
    chamber = person_at(event, kind=OrganisationKind.INTERMEDIARY)
    b2b = meeting_between(sme_a, sme_b, slot=0)
    c2c = meeting_between(cluster, chamber, slot=0)
    missed = meeting_between(sme_a, cluster, slot=1)
    meeting_between(sme_b, chamber, slot=1)  # scheduled, never marked
    mark_meeting(b2b, status=COMPLETED, by=organiser)
    mark_meeting(missed, status=NO_SHOW, by=organiser)
    rate_meeting(c2c, registration=cluster, outcome=COOP)  # held on the cluster's word
    db.session.commit()

    later = datetime.now(UTC) + timedelta(days=1)  # the event has ended by then
    rows = {row.label: row for row in events_and_meetings(ReportFilter(), now=later)}
    total = rows["Total"]
    assert (total.b2b_meetings, total.c2c_meetings) == (1, 1)
