"""Personal links: a signed, expiring token in the URL lets a participant see, edit or cancel their
registration (and later fetch badge and agenda) without a password.

The token holds only the registration id; the signature (the app's SECRET_KEY with its own salt)
makes it unforgeable, and its timestamp makes it expire after PERSONAL_LINK_MAX_AGE_DAYS.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from move_events.extensions import db
from move_events.registration.models import Registration

_SALT = "move-events.registration-link"


class LinkError(Exception):
    """The personal link cannot be used."""


class LinkExpired(LinkError):
    pass


class LinkInvalid(LinkError):
    pass


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_personal_token(registration: Registration) -> str:
    return _serializer().dumps({"r": registration.id})


def load_personal_token(token: str) -> Registration:
    """The registration behind a personal link; LinkExpired or LinkInvalid otherwise."""
    max_age = int(current_app.config["PERSONAL_LINK_MAX_AGE_DAYS"]) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkExpired("This personal link has expired.") from error
    except BadSignature as error:
        raise LinkInvalid("This personal link is not valid.") from error
    registration = db.session.get(Registration, data.get("r")) if isinstance(data, dict) else None
    if registration is None:
        raise LinkInvalid("This personal link is not valid.")
    return registration
