"""API tokens: a staff user's key for the JSON API, limited by a scope.

Only a SHA-256 hash of the secret is stored: the secret itself is shown once, when the token is
created. Secrets are 256 random bits, so a fast hash is enough (nothing to brute-force); a lookup by
hash is one indexed query per request. ``prefix`` (the secret's first characters) lets people tell
their tokens apart in lists without the secret.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from move_events.db_types import UTCDateTime, str_enum, utcnow
from move_events.extensions import db

if TYPE_CHECKING:
    from move_events.auth.models import User


class ApiScope(enum.StrEnum):
    """What a token may do, on top of its user's role."""

    CHECKIN = "checkin"  # scan badges only: a door device
    READ = "read"  # read events, registrations, meetings and reports
    WRITE = "write"  # read, and change: registrations, meetings, scans

    def allows(self, needed: ApiScope) -> bool:
        """A write token may read and scan; a read token only reads; a checkin token only scans."""
        if self is ApiScope.WRITE:
            return True
        return self is needed


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[ApiScope] = mapped_column(str_enum(ApiScope, "api_scope"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… {self.scope}>"
