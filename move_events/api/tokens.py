"""Creating, finding and revoking API tokens.

A token's secret is ``me_`` + 43 URL-safe characters (256 bits); the prefix tells a token for this
application apart in a password manager or a log. The secret leaves the server once, in the return
value of ``create_api_token``; afterwards only its hash is known.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from move_events.api.models import ApiScope, ApiToken
from move_events.auth.models import Role, User
from move_events.db_types import utcnow
from move_events.extensions import db

SECRET_PREFIX = "me_"
NAME_LENGTH = ApiToken.__table__.c.name.type.length
# last_used_at is written at most this often per token: a door scanning all day is not a write per scan.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenError(Exception):
    """A token could not be created or revoked; the message is shown to the user."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, user: User, name: str, scope: ApiScope) -> tuple[ApiToken, str]:
    """A new token of ``user``; returns it with its secret, which is never shown again. Flushes."""
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise ApiTokenError(_l("Give the token a name of at most %(n)d characters.", n=NAME_LENGTH))
    if not user.active:
        raise ApiTokenError(_l("This user is deactivated."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, scope=ApiScope(scope), token_hash=hash_secret(secret))
    token.prefix = secret[: len(SECRET_PREFIX) + 6]
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_api_token(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke a token for good (it cannot be re-activated: create a new one). Flushes."""
    if token.revoked_at is not None:
        raise ApiTokenError(_l("This token is already revoked."))
    token.revoked_at = now or utcnow()
    db.session.flush()
    return token


def find_active_token(secret: str) -> ApiToken | None:
    """The live token whose secret this is, with an active user; None for anything else."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None or not token.user.active:
        return None
    return token


def touch_token(token: ApiToken, now: datetime | None = None) -> bool:
    """Record the token's use (at most once a minute); True when the row changed."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    token.last_used_at = now
    db.session.flush()
    return True


def can_revoke(user: User, token: ApiToken) -> bool:
    """Everyone revokes their own tokens; admins anyone's (a lost door phone, a staff member leaving)."""
    return token.user_id == user.id or user.role == Role.ADMIN


def visible_tokens(user: User) -> Select[tuple[ApiToken]]:
    """A user's own tokens; every token for admins. Newest first."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user.role != Role.ADMIN:
        query = query.where(ApiToken.user_id == user.id)
    return query
