"""An event's meetings as CSV and XLSX, for the organisers' planning and the funder's records.

Columns are machine-readable and stable: enum values, ISO 3166 country codes. The slot is given in the
event's own time zone (date and time as the agendas and table plans show them, with the zone named in
its own column), since that is how people at the venue read it. Text typed by the public (names,
organisations, notes) is made formula-safe by registration/exports.py's cell helpers: the same rules
for every export of the application.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from move_events.events.models import Event
from move_events.meetings.models import Meeting
from move_events.registration.exports import Value, csv_cell, xlsx_cell
from move_events.registration.models import Registration

SIDE_COLUMNS = ("name", "organisation", "organisation_kind", "country", "outcome")
COLUMNS = (
    "id", "status", "slot_date", "slot_time", "timezone", "table", "locked", "arranged_by_organiser",
    *(f"requester_{c}" for c in SIDE_COLUMNS), *(f"counterpart_{c}" for c in SIDE_COLUMNS),
    "follow_up", "follow_up_note", "organiser_notes",
)  # fmt: skip
_WIDTHS = {"requester_name": 24, "counterpart_name": 24, "requester_organisation": 28}


def _side(registration: Registration, outcome) -> tuple[Value, ...]:
    person = registration.person
    organisation = person.organisation
    return (
        person.full_name,
        organisation.name if organisation else "",
        organisation.kind.value if organisation else "",
        organisation.country if organisation else "",
        outcome.value if outcome else "",
    )


def export_rows(event: Event, meetings: Iterable[Meeting]) -> Iterator[tuple[Value, ...]]:
    """One tuple per meeting, in the order of COLUMNS."""
    zone = ZoneInfo(event.timezone)
    for meeting in meetings:
        local = meeting.slot_start.astimezone(zone) if meeting.slot_start else None
        yield (
            meeting.id,
            meeting.status.value,
            f"{local:%Y-%m-%d}" if local else "",
            f"{local:%H:%M}" if local else "",
            event.timezone,
            meeting.table_no,
            "yes" if meeting.locked else "no",
            "yes" if meeting.arranged_by_organiser else "no",
            *_side(meeting.requester, meeting.requester_outcome),
            *_side(meeting.counterpart, meeting.counterpart_outcome),
            meeting.follow_up.value if meeting.follow_up else "",
            meeting.follow_up_note,
            meeting.organiser_notes,
        )


def meetings_csv(event: Event, meetings: Iterable[Meeting]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accents and other scripts right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([csv_cell(value) for value in row] for row in export_rows(event, meetings))
    return buffer.getvalue().encode("utf-8-sig")


def meetings_xlsx(event: Event, meetings: Iterable[Meeting]) -> bytes:
    """One sheet, a bold frozen header row, filters on; text cells typed as text (never formulas)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Meetings")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 16)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    rows = 0
    for row in export_rows(event, meetings):
        sheet.append([xlsx_cell(sheet, value) for value in row])
        rows += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{rows + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
