"""Creating and revoking API tokens: the staff page (own tokens; admins see all) and the CLI."""

from __future__ import annotations

import re

import pytest

from move_events.api.models import ApiScope, ApiToken
from move_events.api.tokens import create_api_token, find_active_token
from move_events.auth.models import Role
from move_events.extensions import db as _db


def shown_secret(html: str) -> str:
    found = re.search(r'value="(me_[A-Za-z0-9_-]+)"', html)
    assert found, html
    return found.group(1)


def test_staff_create_a_token_see_it_once_and_use_it(api, auth):
    auth.login(Role.STAFF)
    response = api.client.post("/account/api-tokens/", data={"name": "Door 1", "scope": "checkin"})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    secret = shown_secret(response.get_data(as_text=True))
    token = find_active_token(secret)
    assert token.name == "Door 1" and token.scope == ApiScope.CHECKIN and token.user.role == Role.STAFF
    page = api.client.get("/account/api-tokens/").get_data(as_text=True)
    assert "Door 1" in page and token.prefix in page and secret not in page  # shown once only
    assert api.get("/api/v1/events/", secret).status_code == 403  # a checkin token does not list


def test_invalid_form_keeps_input_and_saves_nothing(api, auth):
    auth.login(Role.STAFF)
    response = api.client.post("/account/api-tokens/", data={"name": "", "scope": "root"})
    assert response.status_code == 400
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(ApiToken)) == 0


def test_revoke_own_token_from_the_page(api, auth):
    user = auth.login(Role.ORGANISER)
    token, secret = create_api_token(user=user, name="CRM", scope=ApiScope.READ)
    _db.session.commit()
    response = api.client.post(f"/account/api-tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert api.get("/api/v1/events/", secret).status_code == 401
    again = api.client.post(f"/account/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)


def test_others_tokens_are_hidden_and_cannot_be_revoked_but_admins_can(api, auth):
    staff = auth.user(Role.STAFF)
    theirs, secret = create_api_token(user=staff, name="Door 7", scope=ApiScope.CHECKIN)
    _db.session.commit()
    auth.login(Role.ORGANISER)
    assert "Door 7" not in api.client.get("/account/api-tokens/").get_data(as_text=True)
    assert api.client.post(f"/account/api-tokens/{theirs.id}/revoke").status_code == 403
    assert find_active_token(secret) is not None
    auth.logout()
    auth.login(Role.ADMIN)
    page = api.client.get("/account/api-tokens/").get_data(as_text=True)
    assert "Door 7" in page and staff.email in page
    assert api.client.post(f"/account/api-tokens/{theirs.id}/revoke").status_code == 302
    _db.session.expire_all()
    assert find_active_token(secret) is None


def test_anonymous_is_sent_to_log_in(api):
    response = api.client.get("/account/api-tokens/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_cli_creates_lists_and_revokes(api, auth, runner):
    user = auth.user(Role.STAFF)
    result = runner.invoke(
        args=["api", "create-token", user.email.upper(), "--scope", "checkin", "--name", "Door 1"]
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    token = find_active_token(secret)
    assert token.user_id == user.id and token.scope == ApiScope.CHECKIN and token.name == "Door 1"
    listed = runner.invoke(args=["api", "list-tokens"])
    assert "Door 1" in listed.output and secret not in listed.output
    assert runner.invoke(args=["api", "revoke-token", str(token.id)]).exit_code == 0
    _db.session.expire_all()
    assert find_active_token(secret) is None


@pytest.mark.parametrize(
    "args, message",
    [(["nobody@example.org", "--scope", "read", "--name", "x"], "No user"),
     (["staff@example.org", "--scope", "root", "--name", "x"], "Invalid value"),
     (["staff@example.org", "--scope", "read", "--name", "  "], "name")],
)  # fmt: skip
def test_cli_refuses(auth, runner, args, message):
    auth.user(Role.STAFF)
    result = runner.invoke(args=["api", "create-token", *args])
    assert result.exit_code != 0 and message in result.output
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(ApiToken)) == 0
