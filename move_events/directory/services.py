"""Directory rules: who may be created, what counts as a duplicate, and how the directory is searched.

Functions flush, never commit: the caller (a view, a CLI command, another blueprint's service) owns
the transaction. Rule breaches raise a ``DirectoryError`` whose message is shown to the user and whose
``field`` names the attribute at fault, so that a form can show the message next to that field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TypedDict, TypeVar, Unpack
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError

from move_events.countries import is_country
from move_events.db_types import normalise_email
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.extensions import db


class DirectoryError(Exception):
    """A directory rule was broken. ``str(error)`` is the translated, user-facing message."""

    field: str = ""  # the attribute at fault ("name", "email" ...), for forms to show the message by

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class OrganisationExists(DirectoryError):
    field = "name"


class InvalidCountry(DirectoryError):
    field = "country"


class InvalidWebsite(DirectoryError):
    field = "website"


class InvalidPartnerCluster(DirectoryError):
    field = "partner_cluster_id"


class PartnerClusterHasMembers(DirectoryError):
    field = "is_partner"


class PersonExists(DirectoryError):
    field = "email"


Row = TypeVar("Row", Organisation, Person)


def create_or_take_winner(create: Callable[[], Row], find: Callable[[], Row | None]) -> Row:
    """``create()``, unless a concurrent transaction adds the same row (same organisation name and
    country, same e-mail) first: then the row that transaction made, from ``find()``.

    The same new person or organisation registering for two events at once holds two different event
    locks, so nothing else serialises them. On PostgreSQL the insert runs in a SAVEPOINT: the loser's
    insert waits for the winner's transaction and fails on the unique constraint once it commits (or
    ``create`` raises its own *Exists error, had it committed just before); only the savepoint is rolled
    back, the caller's transaction goes on with the winner's row. SQLite serialises writers, and pysqlite
    commits a first SAVEPOINT when releasing it (a later failure would leave it half-saved): no savepoint
    there, and an error goes up as before.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return create()
    try:
        with db.session.begin_nested():
            return create()
    except (IntegrityError, OrganisationExists, PersonExists):
        winner = find()
        if winner is None:
            raise
        return winner


# --- sectors ---------------------------------------------------------------------------------------


def clean_sectors(sectors: Iterable[str]) -> list[str]:
    """Trimmed, non-empty sectors, each once: "ICT" and "ict" are the same sector (first spelling wins)."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for sector in sectors:
        sector = " ".join(sector.split())
        if sector and sector.casefold() not in seen:
            seen.add(sector.casefold())
            cleaned.append(sector)
    return cleaned


def parse_sectors(text: str | None) -> list[str]:
    """Sectors typed as one comma-separated line ("Logistics, ports, Logistics") as a clean list."""
    return clean_sectors((text or "").split(","))


# --- organisations ---------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """Names are stored without outer or doubled spaces, so that a stray space makes no duplicate."""
    return " ".join(name.split())


class OrganisationChanges(TypedDict, total=False):
    name: str
    kind: OrganisationKind
    country: str
    city: str
    sectors: list[str] | None
    website: str
    description: str
    is_partner: bool
    partner_cluster: Organisation | None


def normalise_website(url: str) -> str:
    """A web address as a safe link: "www.example.ma" becomes "https://www.example.ma".

    Only http(s) addresses with a host name are kept: the address is shown as a link, and a
    ``javascript:`` one would run in the organiser's browser. Raises InvalidWebsite.
    """
    url = url.strip()
    if not url:
        return ""
    if "://" not in url:
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts, host = None, ""
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or "." not in host.strip(".")
        or any(char.isspace() for char in url)
    ):
        raise InvalidWebsite(_l("Enter a web address, e.g. https://example.org."))
    return url


def find_organisation_by_name(name: str, country: str | None = None) -> Organisation | None:
    """The organisation called ``name`` (case-insensitive), in ``country`` if given; the oldest wins.

    Names are compared in Python: SQLite's lower() folds ASCII only, and names here are often
    accented ("Société", "Énergie"). Equal lengths narrow the candidates in the database first.
    """
    name = clean_name(name)
    stmt = select(Organisation).where(func.length(Organisation.name) == len(name))
    if country:
        stmt = stmt.where(Organisation.country == country.strip().upper())
    for organisation in db.session.scalars(stmt.order_by(Organisation.id)):
        if organisation.name.casefold() == name.casefold():
            return organisation
    return None


def find_or_create_organisation(
    *, name: str, kind: OrganisationKind, country: str, city: str = "", sectors: list[str] | None = None
) -> Organisation:
    """The organisation called ``name`` in ``country`` (any case), added if missing; a concurrent
    transaction adding it too is no error (``create_or_take_winner``)."""
    existing = find_organisation_by_name(name, country)
    if existing is not None:
        return existing
    return create_or_take_winner(
        lambda: create_organisation(name=name, kind=kind, country=country, city=city, sectors=sectors),
        lambda: find_organisation_by_name(name, country),
    )


def create_organisation(
    *,
    name: str,
    kind: OrganisationKind,
    country: str,
    city: str = "",
    sectors: list[str] | None = None,
    website: str = "",
    description: str = "",
    is_partner: bool = False,
    partner_cluster: Organisation | None = None,
) -> Organisation:
    """Add an organisation. Raises OrganisationExists (same name in the same country, any case),
    InvalidCountry, InvalidWebsite or InvalidPartnerCluster."""
    organisation = Organisation(name="", kind=OrganisationKind(kind), country="", sectors=[])
    _apply_organisation(
        organisation,
        name=name,
        kind=kind,
        country=country,
        city=city,
        sectors=sectors,
        website=website,
        description=description,
        is_partner=is_partner,
        partner_cluster=partner_cluster,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, **changes: Unpack[OrganisationChanges]) -> Organisation:
    """Change the given fields (others stay); the same rules as ``create_organisation`` apply."""
    unknown = changes.keys() - OrganisationChanges.__annotations__.keys()
    if unknown:
        raise TypeError(f"update_organisation() got unknown fields: {', '.join(sorted(unknown))}")
    current: OrganisationChanges = {
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "city": organisation.city,
        "sectors": organisation.sectors,
        "website": organisation.website,
        "description": organisation.description,
        "is_partner": organisation.is_partner,
        "partner_cluster": organisation.partner_cluster,
    }
    _apply_organisation(organisation, **(current | changes))
    db.session.flush()
    return organisation


def _apply_organisation(organisation: Organisation, **fields: Unpack[OrganisationChanges]) -> None:
    """Check the rules on the complete new state, then write it: nothing changes when a rule fails."""
    name = clean_name(fields["name"])
    country = fields["country"].strip().upper()
    if not is_country(country):
        raise InvalidCountry(_l("“%(code)s” is not a country code.", code=country))
    existing = find_organisation_by_name(name, country)
    if existing is not None and existing is not organisation:
        raise OrganisationExists(
            _l("%(name)s is already in the directory for this country.", name=existing.name)
        )
    website = normalise_website(fields["website"])
    partner_cluster = fields["partner_cluster"]
    _check_partnership(organisation, is_partner=fields["is_partner"], partner_cluster=partner_cluster)

    organisation.name = name
    organisation.kind = OrganisationKind(fields["kind"])
    organisation.country = country
    organisation.city = fields["city"].strip()
    organisation.sectors = clean_sectors(fields["sectors"] or [])
    organisation.website = website
    organisation.description = fields["description"].strip()
    organisation.is_partner = fields["is_partner"]
    organisation.partner_cluster = partner_cluster


def _check_partnership(
    organisation: Organisation, *, is_partner: bool, partner_cluster: Organisation | None
) -> None:
    """Members belong to a partner cluster; partner clusters belong to none. So membership never
    loops, and no member is left pointing at an organisation that stopped being a partner cluster."""
    if partner_cluster is not None and (partner_cluster is organisation or not partner_cluster.is_partner):
        raise InvalidPartnerCluster(_l("Choose one of the partnership's clusters."))
    if is_partner and partner_cluster is not None:
        raise InvalidPartnerCluster(_l("A partner cluster cannot belong to another cluster."))
    if organisation.is_partner and not is_partner and organisation.id is not None:
        members = count_members(organisation)
        if members:
            raise PartnerClusterHasMembers(
                _nl(
                    "%(num)d organisation belongs to this cluster: move it to another cluster first.",
                    "%(num)d organisations belong to this cluster: move them to another cluster first.",
                    members,
                )
            )


def count_members(cluster: Organisation) -> int:
    """How many organisations belong to this partner cluster."""
    stmt = select(func.count()).where(Organisation.partner_cluster_id == cluster.id)
    return db.session.scalar(stmt) or 0


def partner_clusters() -> list[Organisation]:
    """The partnership's own clusters, by name (for "belongs to" choices and report filters)."""
    stmt = select(Organisation).where(Organisation.is_partner.is_(True))
    return list(db.session.scalars(stmt.order_by(func.lower(Organisation.name), Organisation.id)))


def search_organisations(
    *,
    query: str = "",
    kind: OrganisationKind | None = None,
    country: str | None = None,
    partner_cluster_id: int | None = None,
) -> Select:
    """Organisations by name. Every word of ``query`` must appear in the name, city or sectors."""
    stmt = select(Organisation)
    for term in query.split():
        stmt = stmt.where(
            or_(
                _contains(Organisation.name, term),
                _contains(Organisation.city, term),
                _contains(cast(Organisation.sectors, String), term),
                # JSON is stored with non-ASCII escaped ("\u00e9"): match that spelling too.
                _contains(cast(Organisation.sectors, String), json.dumps(term)[1:-1]),
            )
        )
    if kind:
        stmt = stmt.where(Organisation.kind == OrganisationKind(kind))
    if country:
        stmt = stmt.where(Organisation.country == country.strip().upper())
    if partner_cluster_id:
        stmt = stmt.where(Organisation.partner_cluster_id == partner_cluster_id)
    return stmt.order_by(func.lower(Organisation.name), Organisation.id)


def _contains(column: ColumnElement, term: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; the user's % and _ are literal characters."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


# --- people ----------------------------------------------------------------------------------------


def find_person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


def create_person(
    *,
    given_name: str,
    family_name: str = "",
    email: str,
    phone: str = "",
    job_title: str = "",
    organisation: Organisation | None = None,
    preferred_language: str = "en",
) -> Person:
    """Add a person. Raises PersonExists when the e-mail is taken (e-mails compare case-insensitively)."""
    _check_email_free(email, person=None)
    person = Person(
        given_name=clean_name(given_name),
        family_name=clean_name(family_name),
        email=email,
        phone=phone.strip(),
        job_title=job_title.strip(),
        organisation=organisation,
        preferred_language=preferred_language,
    )
    db.session.add(person)
    db.session.flush()
    return person


class PersonChanges(TypedDict, total=False):
    given_name: str
    family_name: str
    email: str
    phone: str
    job_title: str
    organisation: Organisation | None
    preferred_language: str


def update_person(person: Person, **changes: Unpack[PersonChanges]) -> Person:
    """Change the given fields (others stay). Raises PersonExists when the new e-mail is taken."""
    unknown = changes.keys() - PersonChanges.__annotations__.keys()
    if unknown:
        raise TypeError(f"update_person() got unknown fields: {', '.join(sorted(unknown))}")
    if "email" in changes:
        _check_email_free(changes["email"], person=person)
    for key, value in changes.items():
        if key in ("given_name", "family_name"):
            value = clean_name(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(person, key, value)
    db.session.flush()
    return person


def _check_email_free(email: str, *, person: Person | None) -> None:
    owner = find_person_by_email(email)
    if owner is not None and owner is not person:
        raise PersonExists(
            _l("%(email)s already belongs to someone in the directory.", email=normalise_email(email))
        )


def search_people(
    *, query: str = "", organisation_id: int | None = None, country: str | None = None
) -> Select:
    """People by family then given name. Every word of ``query`` must appear in the given or family
    name, the e-mail or the organisation's name; ``country`` is the organisation's country."""
    stmt = select(Person)
    if query.split() or country:
        stmt = stmt.outerjoin(Person.organisation)
    for term in query.split():
        stmt = stmt.where(
            or_(
                _contains(Person.given_name, term),
                _contains(Person.family_name, term),
                _contains(Person.email, term),
                _contains(Organisation.name, term),
            )
        )
    if organisation_id:
        stmt = stmt.where(Person.organisation_id == organisation_id)
    if country:
        stmt = stmt.where(Organisation.country == country.strip().upper())
    return stmt.order_by(func.lower(Person.family_name), func.lower(Person.given_name), Person.id)
