"""Walk-ins at the door: registered, confirmed (even when the event is full), checked in and logged,
with a badge to print at once; duplicates and bad input change nothing."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn, ScanResult
from move_events.directory.models import Organisation, Person
from move_events.extensions import db as _db
from move_events.registration.models import Registration, RegistrationRole, RegistrationStatus
from tests.factories import make_event, register

WALK_IN = {
    "given_name": "Amina",
    "family_name": "Benali",
    "email": "Amina.Benali@Oasis-Energie.example ",
    "organisation_name": "Oasis Énergie",
    "organisation_country": "MA",
    "organisation_kind": "sme",
    "role": "speaker",
    "door": "Hall B",
}


@pytest.fixture
def event(db):
    return make_event(published=True, title="Green Hydrogen Forum Agadir")


@pytest.fixture
def staff(auth):
    return auth.login(Role.STAFF)


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def post_walk_in(client, event, **changes):
    return client.post(f"/checkin/{event.id}/walk-in", data={**WALK_IN, **changes})


def test_walk_in_is_registered_confirmed_checked_in_and_logged(client, event, staff):
    response = post_walk_in(client, event)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Welcome, Amina Benali!" in page and "door-result--welcome" in page

    registration = _db.session.scalars(select(Registration)).one()
    assert registration.event_id == event.id
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.role is RegistrationRole.SPEAKER
    assert registration.checked_in_at is not None and registration.checked_in_by_id == staff.id
    person = registration.person
    assert (person.email, person.organisation.name, person.organisation.country) == (
        "amina.benali@oasis-energie.example",
        "Oasis Énergie",
        "MA",
    )
    scan = _db.session.scalars(select(CheckIn)).one()
    assert (scan.result, scan.registration_id, scan.door, scan.raw_token) == (
        ScanResult.WELCOME,
        registration.id,
        "Hall B",
        "",
    )
    assert scan.nonce
    badge_url = f"/checkin/{event.id}/registrations/{registration.id}/badge.pdf"
    assert badge_url in page and "Print badge" in page
    assert client.get(f"/checkin/{event.id}/count").get_json() == {"arrived": 1, "expected": 1, "inside": 1}


def test_walk_in_reuses_a_known_organisation(client, event, staff):
    register(event, organisation=None)
    _db.session.add(Organisation(name="Oasis Énergie", kind="sme", country="MA"))
    _db.session.commit()
    assert post_walk_in(client, event).status_code == 200
    assert _db.session.scalar(select(func.count()).where(Organisation.name == "Oasis Énergie")) == 1


@pytest.mark.parametrize("waitlist", [True, False], ids=["waitlist", "no-waitlist"])
def test_a_full_event_still_admits_a_walk_in(client, staff, db, waitlist):
    event = make_event(published=True, capacity=1, waitlist_enabled=waitlist)
    register(event)
    response = post_walk_in(client, event)
    assert response.status_code == 200 and "Welcome, Amina Benali!" in response.get_data(as_text=True)
    walk_in = _db.session.scalars(select(Registration).join(Person).where(Person.given_name == "Amina")).one()
    assert walk_in.status is RegistrationStatus.CONFIRMED and walk_in.checked_in_at is not None
    assert client.get(f"/checkin/{event.id}/count").get_json() == {"arrived": 1, "expected": 2, "inside": 1}


def test_someone_already_registered_gets_the_normal_check_in(client, event, staff):
    email = "amina.benali@oasis-energie.example"
    existing = register(event, given_name="Amina", family_name="Benali", email=email)
    response = post_walk_in(client, event)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Amina Benali is already registered for this event: Confirmed." in page
    assert f"/checkin/{event.id}/registrations/{existing.id}/check-in" in page
    assert count(Registration) == 1 and count(CheckIn) == 0 and count(Person) == 1
    assert 'value="Amina"' in page  # the input stays


def test_bad_input_shows_messages_at_the_fields_and_saves_nothing(client, event, staff):
    response = post_walk_in(client, event, given_name="", email="not-an-address", organisation_country="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count("invalid-feedback") >= 3
    assert "Enter a valid e-mail address" in page
    assert 'value="Benali"' in page and 'value="not-an-address"' in page
    assert "<details" in page and 'id="walk-in" open' in page
    assert count(Registration) == count(Person) == count(Organisation) == count(CheckIn) == 0


def test_walk_in_section_is_collapsed_on_the_door_page(client, event, staff):
    page = client.get(f"/checkin/{event.id}").get_data(as_text=True)
    assert 'id="walk-in">' in page and 'id="walk-in-form"' in page
    assert "sign-in-sheet.pdf" not in page  # the sheet link is for organisers


def test_staff_badge_for_the_walk_in(client, event, staff):
    post_walk_in(client, event)
    registration = _db.session.scalars(select(Registration)).one()
    response = client.get(f"/checkin/{event.id}/registrations/{registration.id}/badge.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    document = pdfium.PdfDocument(response.data)
    try:
        assert len(document) == 1
        page = document[0]
        width, height = page.get_size()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)
        decoded = [barcode.text for barcode in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]
        text = page.get_textpage().get_text_range()
        page.close()
    finally:
        document.close()
    assert decoded == [make_badge_token(registration)]
    assert "Amina" in text and "Benali" in text


def test_staff_badge_only_for_confirmed_registrations_of_the_event(client, event, staff):
    waiting = register(event)
    waiting.status = RegistrationStatus.WAITLISTED
    other = register(make_event(published=True))
    _db.session.commit()
    assert client.get(f"/checkin/{event.id}/registrations/{waiting.id}/badge.pdf").status_code == 404
    assert client.get(f"/checkin/{event.id}/registrations/{other.id}/badge.pdf").status_code == 404
    assert client.get(f"/checkin/{event.id}/registrations/999999/badge.pdf").status_code == 404


def test_walk_in_needs_the_staff_role(client, event, auth):
    response = post_walk_in(client, event)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert count(Registration) == 0
