"""Token authentication of the JSON API: ``Authorization: Bearer <secret>``, and nothing else.

A request acts with the token's user's role **and** the token's scope: both must allow the operation
(an admin's checkin token still only scans). Cookie sessions are never looked at here, so a browser
logged in to the staff pages cannot be tricked into calling the API (which is exempt from CSRF for
that reason). 401: no token, a malformed header, an unknown or revoked token, a deactivated user.
403: a valid token whose scope or role does not reach the operation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request
from flask_babel import gettext as _

from move_events.api.errors import api_abort
from move_events.api.models import ApiScope, ApiToken
from move_events.api.tokens import find_active_token, touch_token
from move_events.auth.models import Role, User
from move_events.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _sep, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate(scope: ApiScope, role: Role) -> ApiToken:
    """The request's token, if it may do an operation needing ``scope`` and ``role``; else 401/403."""
    secret = bearer_secret()
    if secret is None:
        api_abort(401, _("Send an API token: Authorization: Bearer <token>."))
    token = find_active_token(secret)
    if token is None:
        api_abort(401, _("This API token is unknown or revoked."))
    if not token.scope.allows(scope):
        api_abort(403, _("This token's scope (%(scope)s) does not allow this.", scope=token.scope.value))
    if not token.user.has_role(role):
        api_abort(403, _("Your role does not allow this."))
    if touch_token(token):
        db.session.commit()  # alone in the session: the operation has not started
    g.api_token = token
    return token


def api_user() -> User:
    """The user the current API request acts for (after ``requires``)."""
    return g.api_token.user


def requires(scope: ApiScope, role: Role = Role.STAFF) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Authenticate before anything else runs (argument parsing included: no 422 before a 401).

    Put it right under ``@blp.route`` so that it wraps the parsing decorators."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            authenticate(scope, role)
            return view(*args, **kwargs)

        doc = dict(getattr(view, "_apidoc", {}))
        manual = dict(doc.get("manual_doc", {}))
        also = "" if scope is ApiScope.WRITE else " (or `write`)"
        needs = f"Needs a token of scope `{scope.value}`{also} and a user with role `{role.value}` or above."
        manual["description"] = (manual.get("description", "") + "\n\n" + needs).strip()
        manual.setdefault("security", [{"bearerAuth": []}])
        responses = dict(manual.get("responses", {}))
        responses.setdefault(401, "UNAUTHORIZED")
        responses.setdefault(403, "FORBIDDEN")
        manual["responses"] = responses
        doc["manual_doc"] = manual
        wrapped._apidoc = doc  # type: ignore[attr-defined]
        return wrapped

    return decorator
