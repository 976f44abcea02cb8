"""Column types and helpers shared by all models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, TypeDecorator


def normalise_email(value: str) -> str:
    """E-mail addresses compare case-insensitively: they are stored stripped and lower-cased."""
    return value.strip().lower()


def utcnow() -> datetime:
    """The current time, timezone-aware. Used as a column default *callable*, never evaluated once."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, stored in UTC on every engine.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so values are stored as naive UTC and
    given back as aware UTC. Naive input is refused: a naive datetime is a bug waiting for a time zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint holding the enum's values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def render_migration_item(type_: str, obj, autogen_context) -> str | bool:
    """Alembic hook: write our column types as plain SQLAlchemy ones, so that migrations never
    import application code (which changes after the migration is written)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# PostgreSQL's answers when two transactions collide: "deadlock detected", "could not serialize access".
# The database has rolled the transaction back; trying again is the remedy.
TRANSIENT_SQLSTATES = ("40P01", "40001")


def is_transient_conflict(error: BaseException) -> bool:
    """A database error that only says another transaction got in the way (nothing was saved)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) in TRANSIENT_SQLSTATES
