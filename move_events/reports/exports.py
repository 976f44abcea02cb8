"""The report as files: the two partnership tables as CSV, everything as XLSX.

The CSV files are a contract with the partnership's own spreadsheets and scripts: fixed English
headers (``TABLE_A_COLUMNS``, ``STAKEHOLDER_COLUMNS``), one row per target country named in English,
then ``Total``; UTF-8 without a byte-order mark (a BOM would glue itself to the first header for
scripts), CRLF line ends as RFC 4180 says. The XLSX uses the same column names, for the same reason
the registration exports do: they stay stable whatever the user's language.

Country names come from Babel, but event titles (in the XLSX) and, in principle, an unknown target
country code are typed by people: CSV text cells go through ``registration.exports.neutralise_formula``;
XLSX text cells are typed as text, never formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from move_events.reports.forms import PARAMETERS
from move_events.reports.report import Report
from move_events.reports.rows import STAKEHOLDER_COLUMNS, TABLE_A_COLUMNS, TableARow, TableBRow
from move_events.spreadsheets import neutralise_formula

EVENTS_HEADER = ("target_country", *TABLE_A_COLUMNS)
STAKEHOLDERS_HEADER = ("target_country", *STAKEHOLDER_COLUMNS)
ATTENDANCE_HEADER = (
    "event_id", "title", "category", "target_country", "starts_at", "confirmed", "attended",
    "attendance_rate", "completed_meetings", "no_show_meetings", "no_show_rate",
)  # fmt: skip
OUTCOMES_HEADER = ("completed", "cooperation_possible", "negotiation_started", "agreement_reached")
_XLSX_DATETIME_FORMAT = 'yyyy-mm-dd"T"hh:mm:ss"Z"'

Cell = str | int | float | datetime | None


def table_rows(rows: Sequence[TableARow | TableBRow], columns: tuple[str, ...]) -> list[tuple[Cell, ...]]:
    """Each row as (English label, numbers in ``columns`` order)."""
    return [(row.label, *(getattr(row, name) for name in columns)) for row in rows]


def _csv(header: tuple[str, ...], rows: Iterable[tuple[Cell, ...]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise_formula(c) if isinstance(c, str) else c for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def events_csv(report: Report) -> bytes:
    """Table A: ``target_country,preparatory_events,c2c_events,c2c_meetings,b2b_events,b2b_meetings``."""
    return _csv(EVENTS_HEADER, table_rows(report.table_a, TABLE_A_COLUMNS))


def stakeholders_csv(report: Report) -> bytes:
    """Table B: ``target_country,eu_clusters,eu_smes,third_country_clusters,third_country_smes,other``."""
    return _csv(STAKEHOLDERS_HEADER, table_rows(report.table_b, STAKEHOLDER_COLUMNS))


def attendance_rows(report: Report) -> list[tuple[Cell, ...]]:
    """Per event: turnout and meetings; rates as fractions (0.75), empty when nothing to divide."""
    return [
        (
            item.event_id,
            item.title,
            item.category.value,
            item.target_country or "",
            item.starts_at.astimezone(UTC),
            item.confirmed,
            item.attended,
            item.attendance_rate,
            item.completed_meetings,
            item.no_show_meetings,
            item.no_show_rate,
        )
        for item in report.attendance
    ]


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # Excel has no time zones: UTC
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters are not allowed in XML
    return value


def _sheet(
    workbook: Workbook, title: str, header: tuple[str, ...], rows: Iterable[tuple[Cell, ...]]
) -> Worksheet:
    """A sheet with a bold, frozen header; text typed as text (never a formula), times as UTC dates."""
    sheet = workbook.create_sheet(title=title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=True):
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, datetime):
                cell.number_format = _XLSX_DATETIME_FORMAT
            elif isinstance(value, float):
                cell.number_format = "0%"
    sheet.column_dimensions["A"].width = 22
    return sheet


def report_xlsx(report: Report, *, applied: dict[str, str]) -> bytes:
    """Sheets: events and meetings (table A), stakeholders (table B), attendance, meeting outcomes,
    and the filters the numbers were made with."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "Events and meetings", EVENTS_HEADER, table_rows(report.table_a, TABLE_A_COLUMNS))
    _sheet(workbook, "Stakeholders", STAKEHOLDERS_HEADER, table_rows(report.table_b, STAKEHOLDER_COLUMNS))
    _sheet(workbook, "Attendance", ATTENDANCE_HEADER, attendance_rows(report)).column_dimensions[
        "B"
    ].width = 40
    outcomes = report.outcomes
    _sheet(
        workbook, "Meeting outcomes", OUTCOMES_HEADER, [tuple(getattr(outcomes, n) for n in OUTCOMES_HEADER)]
    )
    filters = [(name, applied.get(name, "")) for name in PARAMETERS]
    _sheet(workbook, "Filters", ("parameter", "value"), [*filters, ("generated_at", report.generated_at)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
