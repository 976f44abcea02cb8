"""Rate limits (Flask-Limiter): failed logins per IP address and e-mail, public registrations and
link requests per IP address; a friendly 429 page; off in other tests unless a test turns them on."""

from __future__ import annotations

import pytest

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.extensions import db as _db
from move_events.extensions import limiter
from move_events.registration.models import Registration
from tests.factories import make_event
from tests.support import PASSWORD, make_test_app


@pytest.fixture
def limited_app(database_url, db):
    app = make_test_app(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3/minute", RATELIMIT_REGISTRATION="2/hour",
        RATELIMIT_LINK_REQUEST="2/hour",
    )  # fmt: skip
    limiter.reset()
    yield app
    limiter.reset()
    with app.app_context():
        _db.engine.dispose()


def ip(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_ratelimit_is_off_in_the_test_config(client, auth):
    auth.user(Role.ORGANISER)
    for _ in range(15):
        response = client.post("/auth/login", data={"email": "organiser@example.org", "password": "wrong"})
        assert response.status_code == 200


def test_ratelimit_failed_logins_per_address_and_email(limited_app):
    with limited_app.app_context():
        create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
        _db.session.commit()
    client = limited_app.test_client()
    wrong = {"email": "organiser@example.org", "password": "wrong"}
    for _ in range(3):
        assert client.post("/auth/login", data=wrong, **ip("203.0.113.7")).status_code == 200
    refused = client.post("/auth/login", data={**wrong, "password": PASSWORD}, **ip("203.0.113.7"))
    assert refused.status_code == 429  # even the right password: the attempts are used up
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and "Retry-After" in refused.headers
    assert "frame-ancestors" in refused.headers["Content-Security-Policy"]
    assert client.get("/auth/login", **ip("203.0.113.7")).status_code == 200  # only POSTs count
    # Another address, or another e-mail from the same address, is not locked out.
    other = limited_app.test_client()
    ok = other.post("/auth/login", data={**wrong, "password": PASSWORD}, **ip("198.51.100.2"))
    assert ok.status_code == 302
    assert (
        client.post("/auth/login", data={**wrong, "email": "x@example.org"}, **ip("203.0.113.7")).status_code
        == 200
    )


def test_ratelimit_successful_logins_do_not_count(limited_app):
    with limited_app.app_context():
        create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
        _db.session.commit()
    for _ in range(5):
        client = limited_app.test_client()
        data = {"email": "organiser@example.org", "password": PASSWORD}
        assert client.post("/auth/login", data=data, **ip("203.0.113.7")).status_code == 302


def registration_data(n: int) -> dict:
    return {
        "given_name": "Amina", "family_name": f"Benali {n}", "email": f"amina.{n}@example.ma",
        "preferred_language": "fr", "organisation_name": f"Atlas {n}", "organisation_country": "MA",
        "organisation_kind": "sme", "role": "participant", "consent": "y",
    }  # fmt: skip


def test_ratelimit_public_registration_per_address(limited_app):
    with limited_app.app_context():
        slug = make_event(published=True).slug
    client = limited_app.test_client()
    for n in range(2):
        response = client.post(f"/events/{slug}/register", data=registration_data(n), **ip("203.0.113.9"))
        assert response.status_code == 302
    refused = client.post(f"/events/{slug}/register", data=registration_data(3), **ip("203.0.113.9"))
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert client.get(f"/events/{slug}/register", **ip("203.0.113.9")).status_code == 200
    other = client.post(f"/events/{slug}/register", data=registration_data(4), **ip("198.51.100.4"))
    assert other.status_code == 302
    with limited_app.app_context():
        assert _db.session.query(Registration).count() == 3  # the refused one was not saved


def test_ratelimit_link_requests_per_address(limited_app):
    with limited_app.app_context():
        slug = make_event(published=True).slug
    client = limited_app.test_client()
    for _ in range(2):
        response = client.post(f"/events/{slug}/link", data={"email": "a@example.ma"}, **ip("203.0.113.5"))
        assert response.status_code == 302
    refused = client.post(f"/events/{slug}/link", data={"email": "b@example.ma"}, **ip("203.0.113.5"))
    assert refused.status_code == 429


def test_ratelimit_an_app_with_limits_off_stays_unlimited_next_to_one_with_limits_on(
    limited_app, client, auth
):
    """The limiter is one object per process: the session's app (limits off) must not pick up the
    limits of an app made later with limits on."""
    auth.user(Role.ORGANISER)
    for _ in range(5):
        response = client.post("/auth/login", data={"email": "organiser@example.org", "password": "wrong"})
        assert response.status_code == 200
    limited = limited_app.test_client()
    statuses = [
        limited.post("/auth/login", data={"email": "organiser@example.org", "password": "wrong"}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
