"""The counting rules of the KPI report (DESIGN.md §5), as SQL aggregates.

Rules shared by every count:

- An event **has taken place** when it is published (drafts and cancelled events count nowhere) and
  ended before ``now``. Every query takes ``now`` so that tests fix it; it defaults to the current time.
- A **meeting counts** when it is completed and its event has taken place. Requested, accepted,
  scheduled, declined, cancelled and no-show meetings count nowhere, and so does every meeting of a
  cancelled, draft or not yet ended event. A meeting counts under its event's target country.
- The **date range** selects events by their start date, in UTC, both ends included (an event running
  from 31 May to 2 June belongs to May's report, once). Either end may be left open.
- The **partner cluster** selects the events it organises (``Event.organiser_id``).
- The **target country** selects the events of that country; the tables then hold that row and Total.
- Rows come in a fixed order: the configured ``TARGET_COUNTRIES`` (always present, zeros included),
  any other target country found in the data (by code), "No target country" for events without one,
  then Total. Labels are English: the CSV contract uses English names.

The filter and row dataclasses live in ``rows`` and are re-exported here, so that callers import the
report from one place.

Everything is aggregated in the database (GROUP BY, a constant number of queries per table), so the
cost does not grow with Python loops over meetings or registrations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select, union
from sqlalchemy.orm import aliased

from move_events.countries import EU_MEMBER_STATES, country_name
from move_events.db_types import utcnow
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event, EventCategory, EventStatus
from move_events.extensions import db
from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.registration.models import Registration, RegistrationStatus
from move_events.reports.rows import (
    NO_TARGET_LABEL,
    STAKEHOLDER_COLUMNS,
    TABLE_A_COLUMNS,
    TOTAL_LABEL,
    EventAttendance,
    MeetingOutcomes,
    ReportFilter,
    TableARow,
    TableBRow,
)

__all__ = [
    "NO_TARGET_LABEL",
    "STAKEHOLDER_COLUMNS",
    "TABLE_A_COLUMNS",
    "TOTAL_LABEL",
    "EventAttendance",
    "MeetingOutcomes",
    "ReportFilter",
    "TableARow",
    "TableBRow",
    "attendance_by_event",
    "events_and_meetings",
    "meeting_outcomes",
    "stakeholders",
]

# Kinds that make a meeting cluster-to-cluster when both sides are one of them.
CLUSTER_LIKE = (OrganisationKind.CLUSTER, OrganisationKind.INTERMEDIARY)
# Third-country "SMEs and businesses".
BUSINESS_LIKE = (OrganisationKind.SME, OrganisationKind.LARGE_COMPANY)
# Registrations that never held a place: their check-in or attendance flags do not count.
NOT_ATTENDING = (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED)


# --- shared pieces -----------------------------------------------------------------------------------


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def taken_place(report_filter: ReportFilter, now: datetime | None = None) -> list[ColumnElement[bool]]:
    """Conditions on ``Event``: published, ended before ``now``, and within the filter."""
    conditions: list[ColumnElement[bool]] = [
        Event.status == EventStatus.PUBLISHED,
        Event.ends_at < (now or utcnow()),
    ]
    if report_filter.date_from is not None:
        conditions.append(Event.starts_at >= _utc_midnight(report_filter.date_from))
    if report_filter.date_to is not None and report_filter.date_to < date.max:  # 9999-12-31: no end
        conditions.append(Event.starts_at < _utc_midnight(report_filter.date_to + timedelta(days=1)))
    if report_filter.partner_cluster_id is not None:
        conditions.append(Event.organiser_id == report_filter.partner_cluster_id)
    if report_filter.target_country is not None:
        conditions.append(Event.target_country == report_filter.target_country)
    return conditions


def attended_flag() -> ColumnElement[bool]:
    """A registration attended: checked in at the door, or marked attended (online and hybrid events).

    Cancelled and declined registrations never count, whatever their flags say; any other status does
    (a waitlisted or pending person checked in at the door was there).
    """
    return and_(
        or_(Registration.checked_in_at.is_not(None), Registration.attended.is_(True)),
        Registration.status.not_in(NOT_ATTENDING),
    )


_Requester = aliased(Registration, name="requester")
_Counterpart = aliased(Registration, name="counterpart")
_RequesterPerson = aliased(Person, name="requester_person")
_CounterpartPerson = aliased(Person, name="counterpart_person")
_RequesterOrg = aliased(Organisation, name="requester_org")
_CounterpartOrg = aliased(Organisation, name="counterpart_org")


def _counted_meetings(report_filter: ReportFilter, now: datetime | None, *columns) -> Select:
    """Completed meetings of events that have taken place, with both sides' people joined."""
    return (
        select(*columns)
        .select_from(Meeting)
        .join(Event, Meeting.event_id == Event.id)
        .join(_Requester, Meeting.requester_id == _Requester.id)
        .join(_RequesterPerson, _Requester.person_id == _RequesterPerson.id)
        .join(_Counterpart, Meeting.counterpart_id == _Counterpart.id)
        .join(_CounterpartPerson, _Counterpart.person_id == _CounterpartPerson.id)
        .where(Meeting.status == MeetingStatus.COMPLETED, *taken_place(report_filter, now))
    )


def _row_keys(report_filter: ReportFilter, found: Iterable[str | None]) -> list[str | None]:
    if report_filter.target_country is not None:
        return [report_filter.target_country]
    configured = [code.upper() for code in current_app.config.get("TARGET_COUNTRIES", [])]
    others = sorted({code for code in found if code and code not in configured})
    return [*configured, *others, None]


def _label(country: str | None) -> str:
    return country_name(country, "en") if country else NO_TARGET_LABEL


def _count_when(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


# --- Table A -----------------------------------------------------------------------------------------

_EVENT_COLUMNS = {
    "preparatory_events": EventCategory.PREPARATORY,
    "c2c_events": EventCategory.C2C,
    "b2b_events": EventCategory.B2B,
}


def events_and_meetings(report_filter: ReportFilter, now: datetime | None = None) -> list[TableARow]:
    """Table A: events that have taken place by category, and completed meetings, per target country.

    A completed meeting is C2C when **both** sides' organisations are clusters or intermediaries, and
    B2B otherwise (a side without an organisation makes it B2B), whatever the event's category.
    Total is the sum of every row above it, "No target country" included: it is the partnership's
    whole output, which is what the KPI targets measure.
    """
    counts: dict[str | None, dict[str, int]] = {}

    event_counts = select(
        Event.target_country,
        *(_count_when(Event.category == category).label(name) for name, category in _EVENT_COLUMNS.items()),
    ).where(*taken_place(report_filter, now))
    for row in db.session.execute(event_counts.group_by(Event.target_country)).mappings():
        counts.setdefault(row["target_country"], {}).update({name: row[name] for name in _EVENT_COLUMNS})

    is_c2c = and_(_RequesterOrg.kind.in_(CLUSTER_LIKE), _CounterpartOrg.kind.in_(CLUSTER_LIKE))
    meeting_counts = (
        _counted_meetings(
            report_filter,
            now,
            Event.target_country,
            func.count().label("meetings"),
            _count_when(is_c2c).label("c2c"),
        )
        .outerjoin(_RequesterOrg, _RequesterPerson.organisation_id == _RequesterOrg.id)
        .outerjoin(_CounterpartOrg, _CounterpartPerson.organisation_id == _CounterpartOrg.id)
        .group_by(Event.target_country)
    )
    for row in db.session.execute(meeting_counts).mappings():
        counts.setdefault(row["target_country"], {}).update(
            c2c_meetings=row["c2c"], b2b_meetings=row["meetings"] - row["c2c"]
        )

    rows = [
        TableARow(country=key, label=_label(key), **counts.get(key, {}))
        for key in _row_keys(report_filter, counts)
    ]
    return [*rows, TableARow(country=None, label=TOTAL_LABEL, is_total=True, **_sum(rows))]


def _sum(rows: list[TableARow]) -> dict[str, int]:
    return {name: sum(getattr(row, name) for row in rows) for name in TABLE_A_COLUMNS}


# --- Table B -----------------------------------------------------------------------------------------


def stakeholder_category() -> ColumnElement[str]:
    """The Table B column of an organisation, from its country (EU or not) and kind."""
    in_eu = Organisation.country.in_(sorted(EU_MEMBER_STATES))
    kind = Organisation.kind
    return case(
        (and_(in_eu, kind == OrganisationKind.CLUSTER), "eu_clusters"),
        (and_(in_eu, kind == OrganisationKind.SME), "eu_smes"),
        (and_(~in_eu, kind.in_(CLUSTER_LIKE)), "third_country_clusters"),
        (and_(~in_eu, kind.in_(BUSINESS_LIKE)), "third_country_smes"),
        else_="other",
    )


def _stakeholder_pairs(report_filter: ReportFilter, now: datetime | None):
    """Distinct (target country, organisation) pairs: attendance, or either side of a counted meeting.

    Walks the registrations of the events (far fewer than meetings), checking each against the set of
    registrations on either side of a completed meeting, rather than joining every meeting twice.
    """
    completed = Meeting.status == MeetingStatus.COMPLETED
    meeting_sides = union(
        select(Meeting.requester_id).where(completed),
        select(Meeting.counterpart_id).where(completed),
    )
    involved = or_(attended_flag(), Registration.id.in_(meeting_sides))
    return (
        select(Event.target_country.label("target_country"), Person.organisation_id.label("organisation_id"))
        .distinct()
        .select_from(Registration)
        .join(Event, Registration.event_id == Event.id)
        .join(Person, Registration.person_id == Person.id)
        .where(Person.organisation_id.is_not(None), involved, *taken_place(report_filter, now))
        .subquery("stakeholder_pairs")
    )


def stakeholders(report_filter: ReportFilter, now: datetime | None = None) -> list[TableBRow]:
    """Table B: distinct organisations involved per target country, by EU status and kind.

    An organisation is involved in a country's events when someone of it attended one that has taken
    place (see ``attended_flag``) or was on either side of a completed meeting at one. Columns:
    EU clusters; EU SMEs; third-country clusters and intermediaries; third-country SMEs and
    businesses (SMEs and large companies); other (EU intermediaries, EU large companies, research
    bodies anywhere). EU means a member state in ``countries.EU_MEMBER_STATES``.

    Each organisation counts once per row however many events or meetings it had there. Total counts
    distinct organisations over all rows ("No target country" included): one active in two countries
    counts in both rows but once in Total, so Total is not the sum of the rows.
    """
    pairs = _stakeholder_pairs(report_filter, now)
    categorised = (
        select(pairs.c.target_country, pairs.c.organisation_id, stakeholder_category().label("category"))
        .join(Organisation, Organisation.id == pairs.c.organisation_id)
        .subquery("categorised")
    )
    per_country = select(categorised.c.target_country, categorised.c.category, func.count()).group_by(
        categorised.c.target_country, categorised.c.category
    )
    counts: dict[str | None, dict[str, int]] = {}
    for country, category, number in db.session.execute(per_country):
        counts.setdefault(country, {})[category] = number

    overall = select(categorised.c.category, func.count(distinct(categorised.c.organisation_id))).group_by(
        categorised.c.category
    )
    total: Mapping[str, int] = {category: number for category, number in db.session.execute(overall)}

    rows = [
        TableBRow(country=key, label=_label(key), **counts.get(key, {}))
        for key in _row_keys(report_filter, counts)
    ]
    return [*rows, TableBRow(country=None, label=TOTAL_LABEL, is_total=True, **total)]


# --- Attendance and outcomes -------------------------------------------------------------------------


def attendance_by_event(report_filter: ReportFilter, now: datetime | None = None) -> list[EventAttendance]:
    """Per event that has taken place, in start order: confirmed and attended registrations, meetings.

    ``confirmed`` counts registrations now confirmed; ``attended`` counts those of them that attended
    (``attended_flag``), so the attendance rate never passes 100 %. (Table B also counts a walk-in
    whose registration was still pending or waitlisted: it asks who was there, not how many seats
    were filled.) The no-show rate is no-show / (completed + no-show) meetings.
    """
    events = select(Event.id).where(*taken_place(report_filter, now))
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    registrations = (
        select(
            Registration.event_id,
            _count_when(confirmed).label("confirmed"),
            _count_when(and_(confirmed, attended_flag())).label("attended"),
        )
        .where(Registration.event_id.in_(events))
        .group_by(Registration.event_id)
        .subquery("registration_counts")
    )
    meetings = (
        select(
            Meeting.event_id,
            _count_when(Meeting.status == MeetingStatus.COMPLETED).label("completed"),
            _count_when(Meeting.status == MeetingStatus.NO_SHOW).label("no_show"),
        )
        .where(Meeting.event_id.in_(events))
        .group_by(Meeting.event_id)
        .subquery("meeting_counts")
    )
    query = (
        select(
            Event.id,
            Event.title,
            Event.category,
            Event.target_country,
            Event.starts_at,
            func.coalesce(registrations.c.confirmed, 0),
            func.coalesce(registrations.c.attended, 0),
            func.coalesce(meetings.c.completed, 0),
            func.coalesce(meetings.c.no_show, 0),
        )
        .outerjoin(registrations, registrations.c.event_id == Event.id)
        .outerjoin(meetings, meetings.c.event_id == Event.id)
        .where(*taken_place(report_filter, now))
        .order_by(Event.starts_at, Event.id)
    )
    return [
        EventAttendance(
            event_id=row[0],
            title=row[1],
            category=row[2],
            target_country=row[3],
            starts_at=row[4],
            confirmed=row[5],
            attended=row[6],
            completed_meetings=row[7],
            no_show_meetings=row[8],
        )
        for row in db.session.execute(query)
    ]


def meeting_outcomes(report_filter: ReportFilter, now: datetime | None = None) -> MeetingOutcomes:
    """Ratings and follow-ups of the completed meetings of events that have taken place.

    A meeting counts as "cooperation possible" when either side rated it so (once, not per side).
    """
    cooperation = or_(
        Meeting.requester_outcome == MeetingOutcome.COOPERATION_POSSIBLE,
        Meeting.counterpart_outcome == MeetingOutcome.COOPERATION_POSSIBLE,
    )
    query = (
        select(
            func.count(),
            _count_when(cooperation),
            _count_when(Meeting.follow_up == MeetingFollowUp.NEGOTIATION_STARTED),
            _count_when(Meeting.follow_up == MeetingFollowUp.AGREEMENT_REACHED),
        )
        .select_from(Meeting)
        .join(Event, Meeting.event_id == Event.id)
        .where(Meeting.status == MeetingStatus.COMPLETED, *taken_place(report_filter, now))
    )
    completed, cooperation_possible, negotiation_started, agreement_reached = db.session.execute(query).one()
    return MeetingOutcomes(
        completed=completed,
        cooperation_possible=cooperation_possible,
        negotiation_started=negotiation_started,
        agreement_reached=agreement_reached,
    )
