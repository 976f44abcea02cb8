"""CSRF protection is on outside tests: every state-changing form is refused without its token."""

import re

import pytest

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.extensions import db as _db
from tests.factories import make_event, register
from tests.support import PASSWORD, make_test_app


@pytest.fixture
def csrf_app(database_url, db):
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        _db.engine.dispose()  # its own connection pool: close it, or psycopg warns at garbage collection


def csrf_token(client, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def test_csrf_login_without_token_is_refused(csrf_app):
    with csrf_app.app_context():
        create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
        _db.session.commit()
    client = csrf_app.test_client()
    refused = client.post("/auth/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert refused.status_code == 400 and "reload the page" in refused.get_data(as_text=True)
    accepted = client.post(
        "/auth/login",
        data={
            "email": "organiser@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/auth/login"),
        },
    )
    assert accepted.status_code == 302


def test_csrf_public_registration_needs_token(csrf_app):
    with csrf_app.app_context():
        event = make_event(published=True)
        slug = event.slug
    client = csrf_app.test_client()
    data = {
        "given_name": "Amina", "family_name": "Benali", "email": "amina@example.ma",
        "preferred_language": "fr", "organisation_name": "Atlas", "organisation_country": "MA",
        "organisation_kind": "sme", "role": "participant", "consent": "y",
    }  # fmt: skip
    assert client.post(f"/events/{slug}/register", data=data).status_code == 400
    data["csrf_token"] = csrf_token(client, f"/events/{slug}/register")
    response = client.post(f"/events/{slug}/register", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def test_csrf_button_forms_without_token_are_a_bad_request(csrf_app):
    with csrf_app.app_context():
        organiser = create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
        event = make_event(created_by=organiser)
        registration = register(make_event(published=True))
        from move_events.registration.links import make_personal_token

        with csrf_app.test_request_context():
            link = f"/r/{make_personal_token(registration)}"
        event_id = event.id
    client = csrf_app.test_client()
    client.post(
        "/auth/login",
        data={
            "email": "organiser@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/auth/login"),
        },
    )
    assert client.post(f"/manage/events/{event_id}/publish").status_code == 400
    assert client.post("/auth/logout").status_code == 400
    anonymous = csrf_app.test_client()
    assert anonymous.post(f"{link}/cancel").status_code == 400
    with csrf_app.app_context():
        assert _db.session.get(type(registration), registration.id).status.value == "confirmed"
