import re

from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.auth.services import authenticate
from move_events.checkin.models import CheckIn
from move_events.countries import is_eu
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event, EventCategory, EventStatus
from move_events.meetings.booking import event_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus, Unavailability
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationStatus
from move_events.reports.queries import (
    STAKEHOLDER_COLUMNS,
    TABLE_A_COLUMNS,
    ReportFilter,
    events_and_meetings,
    stakeholders,
)
from tests.factories import make_event


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_demo_creates_the_partnership_and_is_rerunnable(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    counts = (count(db, Organisation), count(db, Person), count(db, Event))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "(0 new records)" in again.output
    assert (count(db, Organisation), count(db, Person), count(db, Event)) == counts

    assert count(db, Organisation, Organisation.is_partner) == 4
    partner_countries = set(db.session.scalars(select(Organisation.country).where(Organisation.is_partner)))
    assert partner_countries == {"ES", "BG", "FR", "IT"}
    for country in ("MA", "BR"):
        assert count(
            db, Organisation, Organisation.country == country, Organisation.kind == OrganisationKind.SME
        )
        assert count(
            db, Organisation, Organisation.country == country, Organisation.kind != OrganisationKind.SME
        )
    eu_smes = db.session.scalars(
        select(Organisation.country).where(Organisation.kind == OrganisationKind.SME)
    )
    assert sum(is_eu(c) for c in eu_smes) >= 38


def test_seed_demo_people_write_names_in_their_scripts(runner, db):
    runner.invoke(args=["seed-demo"])
    names = " ".join(p.full_name for p in db.session.scalars(select(Person)))
    assert any("\u0400" <= ch <= "\u04ff" for ch in names), "Cyrillic"
    assert any("\u0600" <= ch <= "\u06ff" for ch in names), "Arabic"
    assert any(ch in "éèçãíó" for ch in names), "accented Latin"


def test_seed_demo_events_cover_every_category_past_and_upcoming(runner, db):
    runner.invoke(args=["seed-demo"])
    now = func.now()
    for target in ("MA", "BR"):
        for category in EventCategory:
            base = (
                Event.target_country == target,
                Event.category == category,
                Event.status == EventStatus.PUBLISHED,
            )
            assert count(db, Event, *base, Event.ends_at < now), (target, category)
    assert count(db, Event, Event.starts_at > now, Event.status == EventStatus.PUBLISHED) >= 3
    assert count(db, Event, Event.target_country.is_(None)) >= 1


def test_seed_demo_logins_work(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert "organiser@move-events.example" in result.output
    user = authenticate(email="organiser@move-events.example", password="demo-organiser-2026")
    assert user is not None and user.role == Role.ORGANISER


def test_seed_demo_if_empty_leaves_existing_data_alone(runner, db):
    runner.invoke(args=["seed-demo"])
    db.session.execute(Event.__table__.delete().where(Event.title.like("B2B%")))
    db.session.commit()
    before = count(db, Event)
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already holds events" in result.output
    assert count(db, Event) == before


def test_seed_demo_if_empty_prints_the_try_it_links_again(runner, db):
    """`make run` seeds only the first time; the marketplace links must still be shown every time."""
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already holds events" in result.output
    assert result.output.count("/r/") == 2


def test_seed_demo_if_empty_prints_no_links_for_a_database_that_is_not_the_demo(runner, db):
    make_event()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "/r/" not in result.output


# --- The partnership's reported tables (issue #6) and the brokerage event (issue #5) ----------------

TABLE_A = {"MA": (5, 3, 3, 2, 7), "BR": (5, 2, 2, 1, 6)}
TABLE_B = {"MA": (7, 38, 3, 89, 0), "BR": (3, 15, 3, 7, 0)}


def report_rows(report_filter=None):
    report_filter = report_filter or ReportFilter()
    table_a = {
        row.country: tuple(getattr(row, c) for c in TABLE_A_COLUMNS)
        for row in events_and_meetings(report_filter)
        if not row.is_total
    }
    table_b = {
        row.country: tuple(getattr(row, c) for c in STAKEHOLDER_COLUMNS)
        for row in stakeholders(report_filter)
        if not row.is_total
    }
    return table_a, table_b


def record_counts(db):
    models = (Registration, CheckIn, Meeting, MeetingBooking, Unavailability, OutboxMessage, Person)
    return {model.__name__: count(db, model) for model in models}


def test_seed_demo_reports_exactly_the_partnership_tables_and_reruns_add_nothing(runner, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    table_a, table_b = report_rows()
    assert {country: table_a[country] for country in TABLE_A} == TABLE_A
    assert {country: table_b[country] for country in TABLE_B} == TABLE_B
    for country in ("MA", "BR"):  # the same numbers when the report is filtered to one country
        only_a, only_b = report_rows(ReportFilter(target_country=country))
        assert only_a[country] == TABLE_A[country] and only_b[country] == TABLE_B[country]

    before = record_counts(db)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "(0 new records)" in again.output
    assert record_counts(db) == before
    assert report_rows() == (table_a, table_b)


def test_seed_demo_numbers_come_from_who_came_and_met_not_who_registered(runner, db):
    """Absent people, a cancellation, a no-show and a declined request are in the data, and the
    counting rules leave them out: counting registrations instead would give other numbers."""
    runner.invoke(args=["seed-demo"])
    past = (Event.ends_at < func.now(), Event.status == EventStatus.PUBLISHED)
    registered = select(Registration).join(Event).where(*past)
    absent = registered.where(
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.checked_in_at.is_(None),
        Registration.attended.is_(False),
    )
    assert len(db.session.scalars(absent).all()) >= 3
    cancelled = registered.where(Registration.status == RegistrationStatus.CANCELLED)
    assert len(db.session.scalars(cancelled).all()) >= 1
    statuses = set(db.session.scalars(select(Meeting.status).join(Event).where(*past)))
    assert {MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW, MeetingStatus.DECLINED} <= statuses
    assert db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.checked_in_at.is_not(None))
    )

    registered_orgs = db.session.scalar(
        select(func.count(func.distinct(Person.organisation_id)))
        .select_from(Registration)
        .join(Person, Registration.person_id == Person.id)
        .join(Event, Registration.event_id == Event.id)
        .where(*past, Event.target_country == "MA")
    )
    assert registered_orgs > sum(TABLE_B["MA"])


def test_seed_demo_brokerage_event_is_ready_for_the_marketplace(runner, db, client):
    result = runner.invoke(args=["seed-demo"])
    event = db.session.scalar(
        select(Event).where(Event.has_meetings, Event.starts_at > func.now()).order_by(Event.starts_at)
    )
    assert event.status == EventStatus.PUBLISHED and event.category == EventCategory.B2B
    assert (event.slot_minutes, event.break_minutes, event.tables, event.meeting_cap) == (30, 5, 12, 8)
    assert len(event.sessions) == 2 and len({s.starts_at.date() for s in event.sessions}) == 1
    assert len(event_slots(event)) == 10

    confirmed = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ).all()
    assert 35 <= len(confirmed) <= 45
    assert all(r.offers and r.requests and r.profile_sectors and r.target_markets for r in confirmed)
    assert len({r.offers for r in confirmed}) >= 15
    kinds = [r.person.organisation.kind for r in confirmed]
    assert kinds.count(OrganisationKind.SME) >= 30 and kinds.count(OrganisationKind.SME) < len(kinds)
    countries = {r.person.organisation.country for r in confirmed}
    assert {"MA", "ES", "BG", "FR", "IT"} <= countries
    ids = [r.id for r in confirmed]
    assert count(db, Unavailability, Unavailability.registration_id.in_(ids)) >= 3
    statuses = list(db.session.scalars(select(Meeting.status).where(Meeting.event_id == event.id)))
    assert statuses.count(MeetingStatus.REQUESTED) >= 3 and statuses.count(MeetingStatus.ACCEPTED) >= 3

    links = re.findall(r"^  (.+) \((.+)\): https?://[^/]+(/r/\S+)$", result.output, re.MULTILINE)
    assert len(links) == 2, result.output
    for name, organisation, path in links:
        page = client.get(path)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert name in text and organisation in text
    # the two have not met yet: the newcomer can request that meeting
    by_org = {r.person.organisation.name: r.id for r in confirmed}
    a, b = (by_org[organisation] for _, organisation, _ in links)
    between = (Meeting.requester_id.in_([a, b]), Meeting.counterpart_id.in_([a, b]))
    assert count(db, Meeting, *between) == 0


def test_seed_demo_over_an_older_demo_database_says_what_to_do(runner, db):
    """An older version's demo events had no meeting sessions: a clear message, nothing half-added."""
    make_event(published=True, title="Cluster meeting Casablanca: logistics")  # no sessions
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "older version" in result.output and "make clean-demo" in result.output
    assert count(db, Event) == 1
