from __future__ import annotations

from sqlalchemy import select

from move_events.auth.models import Role, User
from move_events.db_types import normalise_email, utcnow
from move_events.extensions import db

MIN_PASSWORD_LENGTH = 10


class AuthError(Exception):
    """A domain error of the auth package; the message is shown to the user."""


class UserExists(AuthError):
    pass


class WeakPassword(AuthError):
    pass


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader."""
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(*, email: str, password: str, role: Role, name: str = "") -> User:
    """Create a staff login. Raises UserExists or WeakPassword; flushes, never commits."""
    if find_user(email) is not None:
        raise UserExists(f"A user with the e-mail {normalise_email(email)} already exists.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(*, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Records the login time."""
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user
