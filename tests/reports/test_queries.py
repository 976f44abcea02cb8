"""The KPI report's counting rules (DESIGN.md §5), one rule at a time, on a fixed ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event, EventCategory, EventFormat
from move_events.events.services import cancel_event
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.registration.models import Registration, RegistrationStatus
from move_events.reports.queries import (
    ReportFilter,
    TableARow,
    TableBRow,
    attendance_by_event,
    events_and_meetings,
    meeting_outcomes,
    stakeholders,
)
from tests.factories import make_event

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ALL = ReportFilter()
_serial = count(1)

K = OrganisationKind


# --- local factories: rows straight through the models --------------------------------------------


def organisation(kind: OrganisationKind = K.SME, country: str = "MA", **fields) -> Organisation:
    org = Organisation(name=f"Organisation {next(_serial)}", kind=kind, country=country, **fields)
    _db.session.add(org)
    _db.session.flush()
    return org


def past_event(*, days_ago: int = 10, **overrides) -> Event:
    """A published event that ended before NOW (it lasts six hours)."""
    overrides.setdefault("starts_at", NOW - timedelta(days=days_ago))
    return make_event(published=True, **overrides)


def registration(
    event: Event,
    org: Organisation | None = None,
    *,
    status: RegistrationStatus = RegistrationStatus.CONFIRMED,
    checked_in: bool = False,
    attended: bool = False,
) -> Registration:
    n = next(_serial)
    person = Person(
        given_name="Salma",
        family_name=str(n),
        email=f"person.{n}@example.org",
        organisation_id=org.id if org else None,
    )
    reg = Registration(
        event=event,
        person=person,
        status=status,
        checked_in_at=event.starts_at if checked_in else None,
        attended=attended,
    )
    _db.session.add(reg)
    _db.session.flush()
    return reg


def meeting(
    event: Event,
    requester_org: Organisation | None,
    counterpart_org: Organisation | None,
    *,
    status: MeetingStatus = MeetingStatus.COMPLETED,
    **fields,
) -> Meeting:
    m = Meeting(
        event=event,
        requester=registration(event, requester_org),
        counterpart=registration(event, counterpart_org),
        status=status,
        **fields,
    )
    _db.session.add(m)
    _db.session.flush()
    return m


def table_a(report_filter: ReportFilter = ALL) -> dict[str, TableARow]:
    return {r.label: r for r in events_and_meetings(report_filter, now=NOW)}


def table_b(report_filter: ReportFilter = ALL) -> dict[str, TableBRow]:
    return {r.label: r for r in stakeholders(report_filter, now=NOW)}


# --- ReportFilter -------------------------------------------------------------------------------------


def test_report_filter_rejects_reversed_dates():
    with pytest.raises(ValueError):
        ReportFilter(date_from=date(2025, 5, 2), date_to=date(2025, 5, 1))


@pytest.mark.parametrize(("given", "kept"), [("ma", "MA"), ("", None), (None, None)])
def test_report_filter_normalises_target_country(given, kept):
    assert ReportFilter(target_country=given).target_country == kept


# --- Table A: events and meetings ---------------------------------------------------------------------


def test_events_and_meetings_rows_configured_then_found_then_no_target_then_total(db):
    past_event(target_country="TN")
    rows = events_and_meetings(ALL, now=NOW)
    assert [(r.country, r.label, r.is_total) for r in rows] == [
        ("MA", "Morocco", False),
        ("BR", "Brazil", False),
        ("TN", "Tunisia", False),
        (None, "No target country", False),
        (None, "Total", True),
    ]


@pytest.mark.parametrize(
    ("category", "column"),
    [
        (EventCategory.PREPARATORY, "preparatory_events"),
        (EventCategory.C2C, "c2c_events"),
        (EventCategory.B2B, "b2b_events"),
    ],
)
def test_events_and_meetings_counts_event_by_category(db, category, column):
    past_event(category=category, target_country="BR")
    brazil = table_a()["Brazil"]
    columns = ("preparatory_events", "c2c_events", "b2b_events")
    assert {c: getattr(brazil, c) for c in columns} == {c: int(c == column) for c in columns}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: cancel_event(past_event()), id="cancelled"),
        pytest.param(lambda: make_event(starts_at=NOW - timedelta(days=3)), id="draft"),
        pytest.param(lambda: make_event(published=True, starts_at=NOW + timedelta(days=3)), id="future"),
        pytest.param(lambda: make_event(published=True, starts_at=NOW - timedelta(hours=1)), id="ongoing"),
    ],
)
def test_events_and_meetings_skips_event_not_taken_place(db, make):
    event = make()
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"))
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.CLUSTER, "MA"))
    assert table_a()["Total"] == TableARow(country=None, label="Total", is_total=True)


@pytest.mark.parametrize(
    ("requester", "counterpart", "column"),
    [
        ((K.CLUSTER, "ES"), (K.INTERMEDIARY, "MA"), "c2c_meetings"),
        ((K.CLUSTER, "IT"), (K.CLUSTER, "BR"), "c2c_meetings"),
        ((K.INTERMEDIARY, "FR"), (K.INTERMEDIARY, "MA"), "c2c_meetings"),
        ((K.CLUSTER, "ES"), (K.SME, "MA"), "b2b_meetings"),
        ((K.SME, "MA"), (K.CLUSTER, "ES"), "b2b_meetings"),
        ((K.LARGE_COMPANY, "DE"), (K.SME, "MA"), "b2b_meetings"),
        ((K.RESEARCH, "FR"), (K.CLUSTER, "MA"), "b2b_meetings"),
        ((K.CLUSTER, "ES"), None, "b2b_meetings"),
    ],
)
def test_events_and_meetings_classifies_completed_meeting(db, requester, counterpart, column):
    event = past_event(category=EventCategory.B2B)
    meeting(event, organisation(*requester), organisation(*counterpart) if counterpart else None)
    morocco = table_a()["Morocco"]
    assert (morocco.c2c_meetings, morocco.b2b_meetings) == (
        int(column == "c2c_meetings"),
        int(column == "b2b_meetings"),
    )


@pytest.mark.parametrize("status", [s for s in MeetingStatus if s != MeetingStatus.COMPLETED])
def test_events_and_meetings_counts_only_completed_meetings(db, status):
    event = past_event(category=EventCategory.C2C)
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.CLUSTER, "MA"), status=status)
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"), status=status)
    total = table_a()["Total"]
    assert (total.c2c_events, total.c2c_meetings, total.b2b_meetings) == (1, 0, 0)


def test_events_and_meetings_event_without_target_country_has_own_row(db):
    event = past_event(category=EventCategory.C2C, target_country=None)
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.CLUSTER, "MA"))
    rows = table_a()
    assert (rows["No target country"].c2c_events, rows["No target country"].c2c_meetings) == (1, 1)
    assert (rows["Morocco"].c2c_events, rows["Morocco"].c2c_meetings) == (0, 0)


def test_events_and_meetings_total_sums_every_row(db):
    for country, category in [("MA", "b2b"), ("MA", "preparatory"), ("BR", "b2b"), (None, "b2b")]:
        event = past_event(target_country=country, category=EventCategory(category))
        meeting(event, organisation(K.SME, "ES"), organisation(K.SME, "MA"))
    past_event(target_country="BR", category=EventCategory.C2C)
    rows = table_a()
    total = rows["Total"]
    assert (total.preparatory_events, total.c2c_events, total.b2b_events) == (1, 1, 3)
    assert (total.c2c_meetings, total.b2b_meetings) == (0, 4)
    assert (rows["Morocco"].b2b_meetings, rows["Brazil"].b2b_meetings) == (2, 1)


@pytest.mark.parametrize(
    ("date_from", "date_to", "counted"),
    [
        (None, None, True),
        (date(2025, 5, 22), date(2025, 5, 22), True),  # start date, both ends included
        (date(2025, 5, 23), None, False),
        (None, date(2025, 5, 21), False),
        (date(2025, 5, 1), date(2025, 5, 31), True),
    ],
)
def test_events_and_meetings_filters_by_start_date(db, date_from, date_to, counted):
    event = past_event(starts_at=datetime(2025, 5, 22, 20, 0, tzinfo=UTC))  # ends 23 May, 02:00 UTC
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"))
    morocco = table_a(ReportFilter(date_from=date_from, date_to=date_to))["Morocco"]
    assert (morocco.preparatory_events, morocco.b2b_meetings) == (int(counted), int(counted))


def test_events_and_meetings_filters_by_partner_cluster(db):
    ours, theirs = (
        organisation(K.CLUSTER, "ES", is_partner=True),
        organisation(K.CLUSTER, "IT", is_partner=True),
    )
    meeting(past_event(organiser=ours), organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"))
    past_event(organiser=ours)
    meeting(past_event(organiser=theirs), organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"))
    past_event(organiser=None)
    morocco = table_a(ReportFilter(partner_cluster_id=ours.id))["Morocco"]
    assert (morocco.preparatory_events, morocco.b2b_meetings) == (2, 1)


def test_events_and_meetings_filters_by_target_country(db):
    past_event(target_country="MA")
    past_event(target_country="BR")
    past_event(target_country=None)
    rows = events_and_meetings(ReportFilter(target_country="br"), now=NOW)
    assert [(r.label, r.preparatory_events) for r in rows] == [("Brazil", 1), ("Total", 1)]


# --- Table B: stakeholders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "country", "column"),
    [
        (K.CLUSTER, "ES", "eu_clusters"),
        (K.SME, "FR", "eu_smes"),
        (K.CLUSTER, "BR", "third_country_clusters"),
        (K.INTERMEDIARY, "MA", "third_country_clusters"),
        (K.SME, "BR", "third_country_smes"),
        (K.LARGE_COMPANY, "MA", "third_country_smes"),
        (K.RESEARCH, "FR", "other"),
        (K.RESEARCH, "MA", "other"),
        (K.INTERMEDIARY, "DE", "other"),
        (K.LARGE_COMPANY, "IT", "other"),
    ],
)
def test_stakeholders_split_by_eu_membership_and_kind(db, kind, country, column):
    registration(past_event(), organisation(kind, country), checked_in=True)
    morocco = table_b()["Morocco"]
    columns = ("eu_clusters", "eu_smes", "third_country_clusters", "third_country_smes", "other")
    assert {c: getattr(morocco, c) for c in columns} == {c: int(c == column) for c in columns}


@pytest.mark.parametrize(
    ("event_format", "status", "checked_in", "attended", "counted"),
    [
        (EventFormat.ONSITE, RegistrationStatus.CONFIRMED, True, False, True),
        (EventFormat.ONLINE, RegistrationStatus.CONFIRMED, False, True, True),
        (EventFormat.HYBRID, RegistrationStatus.CONFIRMED, True, True, True),
        (EventFormat.ONSITE, RegistrationStatus.WAITLISTED, True, False, True),  # walk-in at the door
        (EventFormat.ONSITE, RegistrationStatus.CONFIRMED, False, False, False),
        (EventFormat.ONSITE, RegistrationStatus.CANCELLED, True, False, False),
        (EventFormat.ONLINE, RegistrationStatus.DECLINED, False, True, False),
    ],
)
def test_stakeholders_counts_attendance(db, event_format, status, checked_in, attended, counted):
    event = past_event(format=event_format)
    registration(event, organisation(), status=status, checked_in=checked_in, attended=attended)
    assert table_b()["Morocco"].total == int(counted)


def test_stakeholders_counts_both_sides_of_completed_meeting_only(db):
    event = past_event(category=EventCategory.B2B)
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"))
    meeting(event, organisation(K.CLUSTER, "IT"), organisation(K.SME, "BR"), status=MeetingStatus.NO_SHOW)
    meeting(event, organisation(K.CLUSTER, "IT"), organisation(K.SME, "BR"), status=MeetingStatus.CANCELLED)
    morocco = table_b()["Morocco"]
    assert (morocco.eu_clusters, morocco.third_country_smes, morocco.total) == (1, 1, 2)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: cancel_event(past_event()), id="cancelled"),
        pytest.param(lambda: make_event(published=True, starts_at=NOW + timedelta(days=3)), id="future"),
    ],
)
def test_stakeholders_skip_event_not_taken_place(db, make):
    event = make()
    registration(event, organisation(), checked_in=True)
    meeting(event, organisation(K.CLUSTER, "ES"), organisation(K.SME, "MA"))
    assert table_b()["Total"].total == 0


def test_stakeholders_skip_people_without_organisation(db):
    event = past_event()
    registration(event, None, checked_in=True)
    meeting(event, None, organisation(K.SME, "MA"))
    assert table_b()["Morocco"].total == 1


def test_stakeholders_count_organisation_once_per_row(db):
    org = organisation(K.SME, "MA")
    first, second = past_event(), past_event(days_ago=20)
    registration(first, org, checked_in=True)
    registration(first, org, checked_in=True)
    registration(second, org, checked_in=True)
    meeting(second, org, organisation(K.CLUSTER, "ES"))
    rows = table_b()
    assert (rows["Morocco"].third_country_smes, rows["Morocco"].eu_clusters) == (1, 1)


def test_stakeholders_total_counts_organisation_once_across_rows(db):
    org = organisation(K.CLUSTER, "ES")
    for country in ("MA", "BR", None):
        registration(past_event(target_country=country), org, checked_in=True)
    registration(past_event(target_country="BR"), organisation(K.SME, "BR"), checked_in=True)
    rows = stakeholders(ALL, now=NOW)
    assert [(r.label, r.eu_clusters, r.third_country_smes) for r in rows] == [
        ("Morocco", 1, 0),
        ("Brazil", 1, 1),
        ("No target country", 1, 0),
        ("Total", 1, 1),
    ]


def test_stakeholders_filter_by_partner_cluster_and_country(db):
    ours = organisation(K.CLUSTER, "ES", is_partner=True)
    registration(past_event(organiser=ours, target_country="MA"), organisation(K.SME, "MA"), checked_in=True)
    registration(past_event(organiser=ours, target_country="BR"), organisation(K.SME, "BR"), checked_in=True)
    registration(past_event(target_country="MA"), organisation(K.SME, "MA"), checked_in=True)
    rows = stakeholders(ReportFilter(partner_cluster_id=ours.id, target_country="MA"), now=NOW)
    assert [(r.label, r.total) for r in rows] == [("Morocco", 1), ("Total", 1)]


# --- attendance and outcomes --------------------------------------------------------------------------


def test_attendance_by_event_counts_registrations_and_meetings(db):
    event = past_event(format=EventFormat.HYBRID, category=EventCategory.B2B)
    registration(event, organisation(), checked_in=True)
    registration(event, organisation(), attended=True)
    registration(event, organisation(), checked_in=True, attended=True)
    registration(event, organisation())
    registration(event, organisation(), status=RegistrationStatus.PENDING, checked_in=True)
    registration(event, organisation(), status=RegistrationStatus.CANCELLED, checked_in=True)
    pair = (organisation(K.CLUSTER, "ES"), organisation())
    for status in [MeetingStatus.COMPLETED] * 3 + [MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED]:
        meeting(event, *pair, status=status)  # each meeting adds two confirmed, not attended

    (result,) = attendance_by_event(ALL, now=NOW)
    assert (result.event_id, result.confirmed, result.attended) == (event.id, 14, 3)
    assert (result.completed_meetings, result.no_show_meetings) == (3, 1)
    assert result.attendance_rate == pytest.approx(3 / 14)
    assert result.no_show_rate == pytest.approx(0.25)


def test_attendance_by_event_lists_events_taken_place_in_start_order(db):
    later, earlier = past_event(days_ago=5), past_event(days_ago=50)
    cancel_event(past_event(days_ago=7))
    make_event(published=True, starts_at=NOW + timedelta(days=1))
    results = attendance_by_event(ALL, now=NOW)
    assert [r.event_id for r in results] == [earlier.id, later.id]
    assert [(r.confirmed, r.attendance_rate, r.no_show_rate) for r in results] == [(0, None, None)] * 2


def test_meeting_outcomes_counts_ratings_and_follow_ups(db):
    event = past_event(category=EventCategory.B2B)
    pair = (organisation(K.CLUSTER, "ES"), organisation())
    cooperation = MeetingOutcome.COOPERATION_POSSIBLE
    meeting(event, *pair, requester_outcome=cooperation, counterpart_outcome=cooperation)
    meeting(event, *pair, counterpart_outcome=cooperation, follow_up=MeetingFollowUp.AGREEMENT_REACHED)
    meeting(
        event,
        *pair,
        requester_outcome=MeetingOutcome.INFORMATIVE,
        follow_up=MeetingFollowUp.NEGOTIATION_STARTED,
    )
    meeting(event, *pair, follow_up=MeetingFollowUp.NONE)
    meeting(event, *pair, status=MeetingStatus.NO_SHOW, requester_outcome=cooperation)
    future = make_event(published=True, starts_at=NOW + timedelta(days=1))
    meeting(future, *pair, requester_outcome=cooperation, follow_up=MeetingFollowUp.AGREEMENT_REACHED)

    outcomes = meeting_outcomes(ALL, now=NOW)
    assert (outcomes.completed, outcomes.cooperation_possible) == (4, 2)
    assert (outcomes.negotiation_started, outcomes.agreement_reached) == (1, 1)
