"""Register many people at once from a CSV file (all or nothing).

The file
--------
- UTF-8, with or without a byte-order mark (Excel: "Save as… CSV UTF-8"); comma or semicolon as
  delimiter (the header line decides: Excel in French, Italian, Spanish or Bulgarian writes semicolons).
- A header line naming the columns, in any order; names are case-insensitive and a space may stand for
  the underscore. Required: ``given_name``, ``family_name``, ``email``. Optional:

  ===================== ====================================================================
  organisation          the organisation's name; an organisation already in the directory with
                        that name and country is reused, otherwise a new one is created
  organisation_country  ISO 3166 two-letter code (MA, BR, ES, FR …); needed with an organisation
  organisation_kind     cluster, intermediary, sme, large_company or research; needed for a new
                        organisation
  role                  participant (default), speaker, organiser, staff or press
  phone, job_title      free text
  preferred_language    the language of the person's e-mails: one of the site's languages
                        (en, fr, es, pt, bg, it); default en
  ===================== ====================================================================

- One person a line; blank lines are ignored. Values with the delimiter or a line break in them are
  quoted ("Société Générale; Paris"). Errors name the line of the file, the header being line 1.

The rules
---------
Every line is checked before anything is saved, and every problem is reported with its line: one bad
line imports nothing, so that a corrected file can simply be imported again. People already registered
(or twice in the file) are skipped and reported, not errors. Each person is registered through
``register_person(by_organiser=True)``: seats, the waiting list and the e-mails work as for one
registration typed by hand. Functions flush, never commit: the caller commits when ``summary.ok``
and rolls back otherwise.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _nl
from sqlalchemy import select

from move_events.countries import is_country
from move_events.db_types import normalise_email
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.directory.services import DirectoryError, clean_name, find_organisation_by_name
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationRole, RegistrationStatus
from move_events.registration.services import (
    NewOrganisation,
    ParticipantDetails,
    RegistrationError,
    register_person,
    seats_left,
)

REQUIRED_COLUMNS = ("given_name", "family_name", "email")
OPTIONAL_COLUMNS = (
    "organisation", "organisation_country", "organisation_kind", "role", "phone", "job_title",
    "preferred_language",
)  # fmt: skip
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# The database columns' sizes: PostgreSQL refuses longer values (SQLite would store them).
MAX_LENGTHS = {
    "given_name": 120,
    "family_name": 120,
    "email": 254,
    "phone": 40,
    "job_title": 200,
    "organisation": 200,
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    line: int | None  # the file's line (the header is 1); None for the file as a whole
    column: str  # "" when the problem is not one column's
    message: str


@dataclass(frozen=True)
class SkippedRow:
    line: int
    email: str
    reason: str


@dataclass
class ImportSummary:
    """What an import did, or (``errors`` not empty) why it did nothing."""

    imported: list[Registration] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_status(self) -> Counter[RegistrationStatus]:
        return Counter(registration.status for registration in self.imported)

    def message(self) -> str:
        """A one-paragraph report for the organiser, in their language."""
        statuses = self.by_status()
        parts = [
            str(_nl("%(num)d person registered", "%(num)d people registered", len(self.imported))),
            str(_l("confirmed: %(num)d", num=statuses[RegistrationStatus.CONFIRMED])),
            str(_l("waiting list: %(num)d", num=statuses[RegistrationStatus.WAITLISTED])),
        ]
        text = f"{parts[0]} ({parts[1]}, {parts[2]})."
        if self.skipped:
            lines = ", ".join(str(row.line) for row in self.skipped)
            text += " " + str(_l("Skipped as already registered or repeated: lines %(lines)s.", lines=lines))
        return text


def read_csv(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's records as (line, {column: value}), or the problems that prevent reading it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_file_error(_l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."))]
    if "\x00" in text:  # e.g. Excel's "Unicode text" (UTF-16); no database stores it as text
        return [], [_file_error(_l("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”."))]
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    try:
        last_line = 0
        for values in reader:
            if any(value.strip() for value in values):
                records.append((last_line + 1, values))
            last_line = reader.line_num
    except csv.Error as error:  # e.g. a quote that is never closed
        message = _l("This line cannot be read (is a quote not closed?): %(why)s", why=error)
        return [], [RowError(last_line + 1, "", str(message))]
    if not records:
        return [], [_file_error(_l("The file is empty."))]
    (header_line, header), rows = records[0], records[1:]
    columns, errors = _columns(header_line, header)
    if not errors and not rows:
        errors.append(_file_error(_l("The file has a header but no people.")))
    if len(rows) > MAX_ROWS:
        errors.append(_file_error(_l("At most %(max)d people can be imported at once.", max=MAX_ROWS)))
    if errors:
        return [], errors
    return _records(columns, rows)


def _file_error(message: object) -> RowError:
    return RowError(None, "", str(message))


def _columns(line: int, header: list[str]) -> tuple[list[str], list[RowError]]:
    columns = [name.strip().lower().replace(" ", "_").replace("-", "_") for name in header]
    errors = []
    unknown = [name for name in columns if name and name not in COLUMNS]
    if unknown:
        message = _l(
            "Unknown columns: %(unknown)s. The columns are: %(known)s.",
            unknown=", ".join(unknown),
            known=", ".join(COLUMNS),
        )
        errors.append(RowError(line, "", str(message)))
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        errors.append(RowError(line, "", str(_l("Missing columns: %(names)s.", names=", ".join(missing)))))
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        errors.append(RowError(line, "", str(_l("Repeated columns: %(names)s.", names=", ".join(repeated)))))
    return columns, errors


def _records(
    columns: list[str], rows: list[tuple[int, list[str]]]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    records, errors = [], []
    for line, values in rows:
        extra = values[len(columns) :]
        if any(value.strip() for value in extra):
            message = _l("This line has more values than the header has columns: is a delimiter unquoted?")
            errors.append(RowError(line, "", str(message)))
            continue
        record = {name: value.strip() for name, value in zip(columns, values, strict=False) if name}
        records.append((line, {name: record.get(name, "") for name in COLUMNS}))
    return (records if not errors else []), errors


class _RowChecker:
    """Checks one record at a time; remembers organisations looked up (a file names few, many times)."""

    def __init__(self) -> None:
        self.languages: list[str] = current_app.config["LANGUAGES"]
        self.default_language: str = current_app.config["BABEL_DEFAULT_LOCALE"]
        self._organisations: dict[tuple[str, str], Organisation | None] = {}

    def check(self, line: int, record: dict[str, str]) -> tuple[ParticipantDetails | None, list[RowError]]:
        errors: list[RowError] = []

        def problem(column: str, message: object) -> None:
            errors.append(RowError(line, column, str(message)))

        for column, limit in MAX_LENGTHS.items():
            if len(record[column]) > limit:
                problem(column, _l("Too long: at most %(max)d characters.", max=limit))
        for column in REQUIRED_COLUMNS:
            if not record[column]:
                problem(column, _l("Missing: this column is required."))
        if record["email"] and not _valid_email(record["email"]):
            problem("email", _l("“%(value)s” is not an e-mail address.", value=record["email"]))
        role = _enum(RegistrationRole, record["role"] or RegistrationRole.PARTICIPANT.value)
        if role is None:
            problem("role", _one_of(record["role"], RegistrationRole))
        language = record["preferred_language"].lower() or self.default_language
        if language not in self.languages:
            message = _l(
                "“%(value)s” is not one of the languages: %(known)s.",
                value=record["preferred_language"],
                known=", ".join(self.languages),
            )
            problem("preferred_language", message)
        organisation = self._organisation(record, problem)
        if errors:
            return None, errors
        details = ParticipantDetails(
            given_name=clean_name(record["given_name"]),
            family_name=clean_name(record["family_name"]),
            email=normalise_email(record["email"]),
            phone=record["phone"],
            job_title=record["job_title"],
            preferred_language=language,
            organisation=organisation,
            role=role,
            consent=False,  # the organiser brings the data; the person never ticked a box
        )
        return details, []

    def _organisation(self, record: dict[str, str], problem) -> Organisation | NewOrganisation | None:
        name, country = clean_name(record["organisation"]), record["organisation_country"].upper()
        kind_text = record["organisation_kind"]
        kind = _enum(OrganisationKind, kind_text) if kind_text else None
        if kind_text and kind is None:
            problem("organisation_kind", _one_of(kind_text, OrganisationKind))
        if country and not is_country(country):
            message = _l(
                "“%(value)s” is not a country code (two letters, e.g. MA).",
                value=record["organisation_country"],
            )
            problem("organisation_country", message)
            return None
        if not name:
            return None
        if not country:
            problem("organisation_country", _l("Give the organisation's country (two letters, e.g. MA)."))
            return None
        key = (name.casefold(), country)
        if key not in self._organisations:
            self._organisations[key] = find_organisation_by_name(name, country)
        existing = self._organisations[key]
        if existing is not None:
            return existing
        if kind is None:
            if not kind_text:
                message = _l(
                    "A new organisation needs its kind: %(known)s.", known=", ".join(OrganisationKind)
                )
                problem("organisation_kind", message)
            return None
        return NewOrganisation(name=name, kind=kind, country=country)


def _valid_email(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _enum(enum_cls, value: str):
    try:
        return enum_cls(value.strip().lower())
    except ValueError:
        return None


def _one_of(value: str, enum_cls) -> object:
    return _l("“%(value)s” is not one of: %(known)s.", value=value, known=", ".join(enum_cls))


def _registered_emails(event: Event) -> set[str]:
    stmt = (
        select(Person.email)
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id, Registration.status.in_(RegistrationStatus.live()))
    )
    return set(db.session.scalars(stmt))


def _capacity_errors(event: Event, count: int) -> list[RowError]:
    left = seats_left(event)
    if event.waitlist_enabled or left is None or count <= left:
        return []
    message = _l(
        "The event has %(left)d seats left and no waiting list, but the file adds %(count)d people.",
        left=left,
        count=count,
    )
    return [_file_error(message)]


def import_registrations(*, event: Event, data: bytes) -> ImportSummary:
    """Check the whole file, then register everyone in it, or no one (see the module's docstring)."""
    records, errors = read_csv(data)
    if errors:
        return ImportSummary(errors=errors)
    checker, registered, first_line = _RowChecker(), _registered_emails(event), {}
    planned: list[tuple[int, ParticipantDetails]] = []
    skipped: list[SkippedRow] = []
    for line, record in records:
        details, row_errors = checker.check(line, record)
        errors.extend(row_errors)
        if details is None:
            continue
        if details.email in first_line:
            reason = _l("The same e-mail is on line %(line)d.", line=first_line[details.email])
            skipped.append(SkippedRow(line, details.email, str(reason)))
        elif details.email in registered:
            skipped.append(SkippedRow(line, details.email, str(_l("Already registered for this event."))))
        else:
            planned.append((line, details))
        first_line.setdefault(details.email, line)
    errors.extend(_capacity_errors(event, len(planned)))
    if errors:
        return ImportSummary(skipped=skipped, errors=errors)
    imported = []
    for line, details in planned:
        try:
            imported.append(register_person(event=event, details=details, by_organiser=True))
        except (RegistrationError, DirectoryError) as error:  # e.g. someone registered meanwhile
            return ImportSummary(skipped=skipped, errors=[RowError(line, "", str(error))])
    return ImportSummary(imported=imported, skipped=skipped)
