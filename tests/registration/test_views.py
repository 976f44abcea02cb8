import re

import pytest
from sqlalchemy import func, select

from move_events.directory.models import Organisation, Person
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event, register

S = RegistrationStatus


def form(**overrides):
    data = {
        "given_name": "Десислава",
        "family_name": "Николова",
        "email": "desislava@telecom-cluster.example",
        "phone": "+359 888 123 456",
        "job_title": "Export manager",
        "preferred_language": "bg",
        "organisation_name": "Витоша Телеком ЕООД",
        "organisation_country": "BG",
        "organisation_kind": "sme",
        "organisation_city": "Sofia",
        "role": "participant",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def personal_link(db, registration_id):
    message = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration_id)
        .order_by(OutboxMessage.id)
    ).all()[-1]
    return re.search(r"https?://[^/\s]+(/r/\S+)", message.body_text).group(1)


def test_register_through_the_form_confirms_and_mails(client, db):
    event = make_event(published=True)
    response = client.post(f"/events/{event.slug}/register", data=form())
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.status == S.CONFIRMED
    assert registration.person.organisation.name == "Витоша Телеком ЕООД"
    assert registration.person.preferred_language == "bg"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is confirmed" in page


def test_register_picks_existing_organisation_by_name(client, db):
    existing = Organisation(name="Atlas Logistique SARL", kind="sme", country="MA")
    db.session.add(existing)
    db.session.commit()
    event = make_event(published=True)
    client.post(
        f"/events/{event.slug}/register",
        data=form(
            organisation_name="atlas logistique sarl", organisation_country="MA", organisation_kind="cluster"
        ),
    )
    assert count(db, Organisation) == 1
    assert db.session.scalar(select(Person)).organisation_id == existing.id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "This field is required."),
        ({"email": "not-an-address"}, "email", "Invalid email address."),
        ({"organisation_country": "XX"}, "organisation_country", "Not a valid choice"),
        ({"organisation_country": ""}, "organisation_country", "This field is required."),
        ({"consent": None}, "consent", "Please accept the privacy notice"),
        ({"role": "organiser"}, "role", "Not a valid choice"),
    ],
)
def test_register_bad_input_is_shown_at_the_field_and_nothing_saved(client, db, overrides, field, message):
    event = make_event(published=True)
    response = client.post(f"/events/{event.slug}/register", data=form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}"' in page
    assert "Витоша Телеком ЕООД" in page or field == "organisation_name"  # other input kept
    assert (count(db, Registration), count(db, Person), count(db, Organisation)) == (0, 0, 0)


def test_register_twice_says_so_and_resends_the_link(client, db):
    event = make_event(published=True)
    client.post(f"/events/{event.slug}/register", data=form())
    response = client.post(
        f"/events/{event.slug}/register", data=form(email="DESISLAVA@telecom-cluster.example")
    )
    page = response.get_data(as_text=True)
    assert "already registered" in page
    assert count(db, Registration) == 1
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds == ["registration_confirmed", "registration_link"]


def test_register_closed_event_shows_no_form(client, db):
    event = make_event(published=True)
    client.application  # noqa: B018
    from move_events.events.services import cancel_event

    cancel_event(event)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "This event has been cancelled." in page and 'name="email"' not in page
    assert client.post(f"/events/{event.slug}/register", data=form()).status_code == 200
    assert count(db, Registration) == 0


def test_register_draft_event_is_not_found(client, db):
    event = make_event(published=False)
    assert client.get(f"/events/{event.slug}/register").status_code == 404


def test_business_profile_only_for_events_with_meetings(client, db):
    from datetime import timedelta

    plain = make_event(published=True)
    assert 'name="offers"' not in client.get(f"/events/{plain.slug}/register").get_data(as_text=True)
    meetings = make_event(
        published=True, has_meetings=True, slot_minutes=25, tables=10,
        sessions=[(plain.starts_at + timedelta(hours=1), plain.starts_at + timedelta(hours=3))],
    )  # fmt: skip
    assert 'name="offers"' in client.get(f"/events/{meetings.slug}/register").get_data(as_text=True)
    client.post(
        f"/events/{meetings.slug}/register",
        data=form(
            offers="5G private networks", sectors="telecoms, IoT, telecoms", target_markets=["MA", "BR"]
        ),
    )
    registration = db.session.scalar(select(Registration))
    assert registration.offers == "5G private networks"
    assert registration.profile_sectors == ["telecoms", "IoT"]
    assert registration.target_markets == ["MA", "BR"]


def test_personal_link_shows_edits_and_cancels(client, db):
    event = make_event(published=True, capacity=1)
    seated = register(event, given_name="Lucía")
    waiting = register(event)
    link = personal_link(db, seated.id)
    page = client.get(link).get_data(as_text=True)
    assert "Lucía" in page and "Confirmed" in page
    response = client.post(
        link, data={"given_name": "Lucía María", "family_name": "Suárez", "preferred_language": "es"}
    )
    assert response.status_code == 302
    db.session.refresh(seated.person)
    assert seated.person.given_name == "Lucía María"

    client.post(f"{link}/cancel")
    db.session.refresh(seated)
    db.session.refresh(waiting)
    assert seated.status == S.CANCELLED and waiting.status == S.CONFIRMED
    assert "no longer active" in client.get(link).get_data(as_text=True)


def test_request_link_answers_the_same_for_unknown_addresses(client, db):
    event = make_event(published=True)
    registration = register(event, email="known@example.org")
    known = client.post(
        f"/events/{event.slug}/link", data={"email": "known@example.org"}, follow_redirects=True
    )
    unknown = client.post(
        f"/events/{event.slug}/link", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert "its personal link is on its way" in known.get_data(as_text=True)
    assert "its personal link is on its way" in unknown.get_data(as_text=True)
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.registration_id == registration.id)
    )
    assert "registration_link" in list(kinds)
