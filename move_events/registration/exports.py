"""Registration lists as CSV and XLSX files, for spreadsheets, mail merges and the funder's records.

Columns are machine-readable and stable (the same names as the import's where they overlap): enum
values rather than translated labels, ISO 3166 country codes, times in ISO 8601 UTC. Cells are made safe
against formula injection by ``move_events.spreadsheets``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from move_events.registration.models import Registration
from move_events.spreadsheets import Value, csv_file, xlsx_file

COLUMNS = (
    "id", "status", "role", "given_name", "family_name", "email", "phone", "job_title",
    "organisation", "organisation_kind", "country", "registered_at", "checked_in_at",
)  # fmt: skip
_XLSX_WIDTHS = {"email": 32, "organisation": 30, "registered_at": 21, "checked_in_at": 21, "job_title": 24}


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def export_rows(registrations: Iterable[Registration]) -> Iterator[tuple[Value, ...]]:
    """One tuple per registration, in the order of COLUMNS, with typed values (times aware, UTC)."""
    for registration in registrations:
        person = registration.person
        organisation = person.organisation
        yield (
            registration.id,
            registration.status.value,
            registration.role.value,
            person.given_name,
            person.family_name,
            person.email,
            person.phone,
            person.job_title,
            organisation.name if organisation else "",
            organisation.kind.value if organisation else "",
            organisation.country if organisation else "",
            _utc(registration.created_at),
            _utc(registration.checked_in_at),
        )


def registrations_csv(registrations: Iterable[Registration]) -> bytes:
    return csv_file(COLUMNS, export_rows(registrations))


def registrations_xlsx(registrations: Iterable[Registration], *, sheet_title: str = "Registrations") -> bytes:
    """Times as real dates (UTC) that sort."""
    return xlsx_file(COLUMNS, export_rows(registrations), title=sheet_title, widths=_XLSX_WIDTHS)
