from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from move_events.db_types import UTCDateTime, normalise_email, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.directory.models import Organisation


class Role(enum.StrEnum):
    """Staff roles, from most to least powerful. Participants have no login (personal links)."""

    ADMIN = "admin"
    ORGANISER = "organiser"
    STAFF = "staff"

    @property
    def rank(self) -> int:
        return {Role.ADMIN: 3, Role.ORGANISER: 2, Role.STAFF: 1}[self]


class User(UserMixin, db.Model):
    """A staff login. E-mail is stored lower-cased and unique."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    active: Mapped[bool] = mapped_column(default=True)
    # The partner cluster an organiser works for: they manage that cluster's events.
    partner_cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner_cluster: Mapped[Organisation | None] = relationship()

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, role: Role) -> bool:
        """True when this user's role is ``role`` or above (an admin may do what an organiser may)."""
        return self.role.rank >= role.rank

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
