from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.auth.services import authenticate
from move_events.countries import is_eu
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import Event, EventCategory, EventStatus


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
