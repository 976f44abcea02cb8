"""Token authentication: 401 without a valid token, 403 when scope or role fall short; cookies never count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from move_events.api.models import ApiScope, ApiToken
from move_events.api.tokens import find_active_token, hash_secret, revoke_api_token
from move_events.auth.models import Role
from move_events.db_types import utcnow
from move_events.extensions import db as _db
from tests.api.conftest import assert_error
from tests.factories import make_event


@pytest.fixture
def event(db):
    return make_event(published=True)


def test_missing_token_is_401_json_with_a_bearer_challenge(api, event):
    response = api.get("/api/v1/events/", None)
    body = assert_error(response, 401)
    assert "Bearer" in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Token me_abc", "me_abc"])
def test_malformed_authorization_is_401(api, event, header):
    assert_error(api.get("/api/v1/events/", None, headers={"Authorization": header}), 401)


def test_unknown_token_is_401(api, event):
    assert_error(api.get("/api/v1/events/", "me_" + "x" * 43), 401)


def test_revoked_token_is_401(api, event):
    secret = api.token(Role.ORGANISER, ApiScope.READ)
    assert api.get("/api/v1/events/", secret).status_code == 200
    revoke_api_token(token=find_active_token(secret))
    _db.session.commit()
    assert_error(api.get("/api/v1/events/", secret), 401)


def test_token_of_a_deactivated_user_is_401(api, auth, event):
    secret = api.token(Role.ORGANISER, ApiScope.READ)
    auth.user(Role.ORGANISER).active = False
    _db.session.commit()
    assert_error(api.get("/api/v1/events/", secret), 401)


def test_a_logged_in_cookie_session_is_not_accepted(api, auth, event):
    auth.login(Role.ADMIN)
    assert api.client.get("/manage/events/").status_code == 200  # the session works for the pages
    assert_error(api.get("/api/v1/events/", None), 401)
    assert_error(api.post(f"/api/v1/events/{event.id}/checkin/", None, json={"token": "x"}), 401)


def test_api_needs_no_csrf_token(app, api, event, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    secret = api.token(Role.STAFF, ApiScope.CHECKIN)
    response = api.post(f"/api/v1/events/{event.id}/checkin/", secret, json={"token": "nonsense"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"] == "invalid"
    assert "Set-Cookie" not in response.headers  # token auth: no session cookie is handed out


def test_checkin_scope_only_scans(api, event):
    secret = api.token(Role.ADMIN, ApiScope.CHECKIN)
    assert api.post(f"/api/v1/events/{event.id}/checkin/", secret, json={"token": "x"}).status_code == 200
    for path in ("/api/v1/events/", f"/api/v1/events/{event.id}/registrations/", "/api/v1/reports/events"):
        body = assert_error(api.get(path, secret), 403)
        assert "checkin" in body["message"]


def test_read_scope_cannot_change_anything(api, event):
    secret = api.token(Role.ADMIN, ApiScope.READ)
    assert api.get(f"/api/v1/events/{event.id}/registrations/", secret).status_code == 200
    assert_error(api.post(f"/api/v1/events/{event.id}/checkin/", secret, json={"token": "x"}), 403)
    assert_error(api.post(f"/api/v1/events/{event.id}/registrations/", secret, json={}), 403)


def test_the_users_role_limits_a_write_token(api, event):
    staff = api.token(Role.STAFF, ApiScope.WRITE)
    assert api.get("/api/v1/events/", staff).status_code == 200
    assert api.post(f"/api/v1/events/{event.id}/checkin/", staff, json={"token": "x"}).status_code == 200
    body = assert_error(api.get(f"/api/v1/events/{event.id}/registrations/", staff), 403)
    assert "role" in body["message"]
    assert_error(api.get("/api/v1/reports/events", staff), 403)


def test_authentication_comes_before_input_validation(api, event):
    """No 422 (which would tell what the API expects) to somebody without a token."""
    assert_error(api.post(f"/api/v1/events/{event.id}/registrations/", None, json={"bad": 1}), 401)
    assert_error(api.get("/api/v1/events/?page=zero", None), 401)


def test_only_the_hash_is_stored_and_last_use_is_recorded(api, event):
    secret = api.token(Role.STAFF, ApiScope.READ)
    token = _db.session.scalar(_db.select(ApiToken))
    assert token.token_hash == hash_secret(secret) and secret not in (token.token_hash, token.prefix)
    assert token.last_used_at is None
    api.get("/api/v1/events/", secret)
    _db.session.refresh(token)
    first = token.last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    api.get("/api/v1/events/", secret)  # within the minute: not written again
    _db.session.refresh(token)
    assert token.last_used_at == first
