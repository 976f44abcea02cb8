from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from move_events.countries import is_eu
from move_events.db_types import UTCDateTime, normalise_email, str_enum, utcnow
from move_events.extensions import db


class OrganisationKind(enum.StrEnum):
    CLUSTER = "cluster"
    INTERMEDIARY = "intermediary"  # chamber, association, agency, public body
    SME = "sme"
    LARGE_COMPANY = "large_company"
    RESEARCH = "research"


class Organisation(db.Model):
    """A cluster, intermediary, company or research body. EU or third-country follows from ``country``."""

    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("name", "country"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120), default="")
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # A partner cluster is one of the partnership's own clusters; other organisations may belong to one.
    is_partner: Mapped[bool] = mapped_column(default=False)
    partner_cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner_cluster: Mapped[Organisation | None] = relationship(remote_side=[id])
    people: Mapped[list[Person]] = relationship(back_populates="organisation")

    @validates("country")
    def _upper_country(self, _key: str, value: str) -> str:
        return value.upper()

    @property
    def is_eu(self) -> bool:
        return is_eu(self.country)

    def __repr__(self) -> str:
        return f"<Organisation {self.name} ({self.country})>"


class Person(db.Model):
    """Someone who takes part in events. E-mail identifies a person (case-insensitive, unique)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def __repr__(self) -> str:
        return f"<Person {self.email}>"
