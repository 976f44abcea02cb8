"""API test helpers: tokens of any role and scope, and a client that sends them."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from move_events.api.models import ApiScope
from move_events.api.tokens import create_api_token
from move_events.auth.models import Role
from move_events.extensions import db as _db


class ApiClient:
    """Requests with ``Authorization: Bearer``; ``token(role, scope)`` makes a token (and its user)."""

    def __init__(self, client: FlaskClient, auth) -> None:
        self.client = client
        self.auth = auth

    def token(self, role: str | Role = Role.ORGANISER, scope: str | ApiScope = ApiScope.WRITE) -> str:
        user = self.auth.user(role)
        _token, secret = create_api_token(user=user, name=f"{role} {scope}", scope=ApiScope(scope))
        _db.session.commit()
        return secret

    def open(self, method: str, path: str, token: str | None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def get(self, path: str, token: str | None, **kwargs):
        return self.open("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None, **kwargs):
        return self.open("POST", path, token, **kwargs)

    def patch(self, path: str, token: str | None, **kwargs):
        return self.open("PATCH", path, token, **kwargs)


@pytest.fixture
def api(client, auth) -> ApiClient:
    return ApiClient(client, auth)


def assert_error(response, code: int) -> dict:
    """A JSON error body of the documented shape, with this status."""
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == code and body["status"] and body["message"], body
    return body
