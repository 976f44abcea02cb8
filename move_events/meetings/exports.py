"""An event's meetings as CSV and XLSX, for the organisers' planning and the funder's records.

Columns are machine-readable and stable: enum values, ISO 3166 country codes. The slot is given in the
event's own time zone (date and time as the agendas and table plans show them, with the zone named in
its own column), since that is how people at the venue read it. Text typed by the public (names,
organisations, notes) is made formula-safe by move_events/spreadsheets.py: the same rules
for every export of the application.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from move_events.events.models import Event
from move_events.meetings.models import Meeting
from move_events.registration.models import Registration
from move_events.spreadsheets import Value, csv_file, xlsx_file

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
    return csv_file(COLUMNS, export_rows(event, meetings))


def meetings_xlsx(event: Event, meetings: Iterable[Meeting]) -> bytes:
    return xlsx_file(
        COLUMNS, export_rows(event, meetings), title="Meetings", widths=_WIDTHS, default_width=16
    )
