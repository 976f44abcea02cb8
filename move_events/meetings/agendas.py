"""Personal agendas (page, PDF, .ics) and the organisers' table plan.

An agenda lists a participant's meetings that have a time (scheduled, and later completed or missed), in
time order, shown in the event's own time zone; accepted meetings still waiting for a time are listed
apart, so nobody thinks they were forgotten. Requested, declined and cancelled meetings never appear:
an agenda is what the person will actually do on the day.

The PDF shows the whole meeting day: between meetings the free slots are printed as breaks, so the
person sees at a glance when they can have a coffee or visit the stands. ``agenda_pdf`` takes any number
of registrations (the print-jobs helper feeds it chunks of ~50): each agenda starts on a new page and
continues on more pages if long, the person's name repeated at the top of each page. Everything for a
chunk is loaded in a handful of queries, not per person.

The table plan is printed one slot per A4 landscape page, not as a grid of all slots. It is what a hall
organiser pins at the entrance (or holds at the door) while a slot is running: people look for *now*, find
their name and walk to a table number printed large enough to read from two metres. A grid of tables ×
slots with two names and organisations per cell does not fit A4 legibly beyond a handful of slots, while a
page per slot can be swapped on the wall as the day goes on, and each participant has their own agenda
for the whole day anyway. A slot with more tables than fit on a page continues on the next, with the
slot's time repeated in the page header.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from move_events.badges.pdf import direction, event_dates
from move_events.countries import country_name
from move_events.db_types import utcnow
from move_events.directory.models import OrganisationKind, Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.labels import label
from move_events.meetings.booking import event_slots, unavailable_slots
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.meetings.scheduling import Slot
from move_events.pdf import render_pdf
from move_events.registration.models import Registration

SHOWN = (MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)
"""Statuses that belong on an agenda; requested, declined and cancelled meetings do not."""


@dataclass(frozen=True)
class Side:
    """One side of a meeting as others see it: name, organisation, country (ISO code), kind."""

    registration_id: int
    name: str
    organisation: str
    country: str
    kind: OrganisationKind | None

    @classmethod
    def of(cls, registration: Registration) -> Side:
        person = registration.person
        organisation = person.organisation
        return cls(
            registration_id=registration.id,
            name=person.full_name,
            organisation=organisation.name if organisation else "",
            country=organisation.country if organisation else "",
            kind=organisation.kind if organisation else None,
        )


@dataclass(frozen=True)
class AgendaRow:
    """One meeting on a person's agenda; ``start``/``end`` are UTC (None while it has no time)."""

    meeting_id: int
    status: MeetingStatus
    start: datetime | None
    end: datetime | None
    table_no: int | None
    other: Side


@dataclass(frozen=True)
class AgendaEntry:
    """A line of the printed day: a meeting, or a stretch of free (or unavailable) slots."""

    kind: str  # "meeting" | "free" | "unavailable"
    start: datetime
    end: datetime
    session: int
    row: AgendaRow | None = None


@dataclass
class Agenda:
    registration: Registration
    me: Side
    rows: list[AgendaRow]  # with a time, in time order
    unscheduled: list[AgendaRow]  # accepted, waiting for a time
    timeline: list[AgendaEntry] = field(default_factory=list)

    @property
    def event(self) -> Event:
        return self.registration.event


def _meetings_of(registration_ids: Sequence[int]) -> list[Meeting]:
    people = (selectinload(Registration.person).selectinload(Person.organisation),)
    query = (
        select(Meeting)
        .where(
            or_(Meeting.requester_id.in_(registration_ids), Meeting.counterpart_id.in_(registration_ids)),
            Meeting.status.in_(SHOWN),
        )
        .options(
            selectinload(Meeting.requester).options(*people),
            selectinload(Meeting.counterpart).options(*people),
        )
    )
    return list(db.session.scalars(query))


def _row(meeting: Meeting, registration_id: int, slots: dict[datetime, Slot], minutes: int) -> AgendaRow:
    other = meeting.counterpart if meeting.requester_id == registration_id else meeting.requester
    start = meeting.slot_start
    end = None
    if start is not None:
        slot = slots.get(start)
        end = slot.end if slot is not None else start + timedelta(minutes=minutes)
    return AgendaRow(
        meeting_id=meeting.id,
        status=meeting.status,
        start=start,
        end=end,
        table_no=meeting.table_no,
        other=Side.of(other),
    )


def _timeline(rows: list[AgendaRow], slots: list[Slot], unavailable: set[datetime]) -> list[AgendaEntry]:
    """The day slot by slot, neighbouring free (or unavailable) slots of one session merged into one
    break. Meetings outside every slot (the sessions changed after placing them) still appear."""
    by_start = {row.start: row for row in rows}
    entries: list[AgendaEntry] = []
    for slot in slots:
        row = by_start.pop(slot.start, None)
        kind = "meeting" if row else "unavailable" if slot.start in unavailable else "free"
        previous = entries[-1] if entries else None
        if (
            row is None
            and previous is not None
            and previous.kind == kind
            and previous.session == slot.session
        ):
            entries[-1] = AgendaEntry(kind, previous.start, slot.end, slot.session)
        else:
            entries.append(AgendaEntry(kind, slot.start, slot.end, slot.session, row))
    for row in by_start.values():
        assert row.start is not None and row.end is not None
        entries.append(AgendaEntry("meeting", row.start, row.end, -1, row))
    return sorted(entries, key=lambda entry: entry.start)


def agendas_for(registrations: Iterable[Registration]) -> list[Agenda]:
    """The agendas of ``registrations`` (any events), loaded together; in the order given."""
    registrations = list(registrations)
    ids = [registration.id for registration in registrations]
    meetings = _meetings_of(ids) if ids else []
    unavailable = unavailable_slots(ids)
    slots_of: dict[int, list[Slot]] = {}
    by_side: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_side[meeting.requester_id].append(meeting)
        by_side[meeting.counterpart_id].append(meeting)
    agendas = []
    for registration in registrations:
        event = registration.event
        if event.id not in slots_of:
            slots_of[event.id] = event_slots(event)
        slots = slots_of[event.id]
        starts = {slot.start: slot for slot in slots}
        minutes = event.slot_minutes or 0
        rows = [_row(meeting, registration.id, starts, minutes) for meeting in by_side[registration.id]]
        timed = sorted((row for row in rows if row.start is not None), key=lambda r: (r.start, r.table_no))
        waiting = sorted((row for row in rows if row.start is None), key=lambda r: r.other.name.casefold())
        agenda = Agenda(registration=registration, me=Side.of(registration), rows=timed, unscheduled=waiting)
        if timed:
            agenda.timeline = _timeline(timed, slots, unavailable[registration.id])
        agendas.append(agenda)
    return agendas


def agenda_for(registration: Registration) -> Agenda:
    return agendas_for([registration])[0]


def event_has_schedule(event: Event) -> bool:
    """Whether any meeting of the event has a time yet: until then the organiser has not scheduled."""
    query = select(Meeting.id).where(Meeting.event_id == event.id, Meeting.slot_start.is_not(None))
    return db.session.scalar(query.limit(1)) is not None


# Formatting for templates (the event's time zone, the current locale).


def time_range(start: datetime, end: datetime, tz: str) -> str:
    """ "09:00 – 09:25" (in the current locale's clock) in the time zone ``tz``."""
    zone = ZoneInfo(tz)
    first = format_time(start.astimezone(zone), "short", rebase=False)
    return f"{first} – {format_time(end.astimezone(zone), 'short', rebase=False)}"


def day_label(moment: datetime, tz: str) -> str:
    return format_date(moment.astimezone(ZoneInfo(tz)).date(), "full")


def side_details(side: Side) -> str:
    """ "Organisation · Country · Kind", skipping what is unknown."""
    parts = [side.organisation, country_name(side.country) if side.country else "", label(side.kind)]
    return " · ".join(part for part in parts if part)


def template_helpers() -> dict[str, object]:
    """Formatting functions the agenda and table plan templates (HTML and PDF) use."""
    return {
        "time_range": time_range,
        "day_label": day_label,
        "side_details": side_details,
        "direction": direction,
        "lang": str(get_locale() or "en"),
    }


def render_agendas_html(registrations: Iterable[Registration]) -> str:
    agendas = agendas_for(registrations)
    return render_template("pdf/agenda.html", agendas=agendas, event_dates=event_dates, **template_helpers())


def agenda_pdf(registrations: Iterable[Registration]) -> bytes:
    """One PDF (A4 portrait) with the agendas of ``registrations``, one agenda per page (or more pages
    when long), labels in the current locale, times in each event's time zone."""
    return render_pdf(render_agendas_html(registrations))


def agenda_ics(registration: Registration) -> bytes:
    """The person's scheduled meetings as an iCalendar file.

    One VEVENT per meeting with a stable UID, so importing the file again after a change moves the
    meeting in the person's calendar instead of adding a copy. Times carry the event's time zone (with
    its VTIMEZONE), so calendars show them right wherever the person's phone is set.
    """
    agenda = agenda_for(registration)
    event = registration.event
    zone = ZoneInfo(event.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//MOVE Events//move-events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.title)
    stamp = utcnow()
    for row in agenda.rows:
        assert row.start is not None and row.end is not None
        entry = VEvent()
        entry.add("uid", f"meeting-{row.meeting_id}@move-events")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", row.start.astimezone(zone))
        entry.add("dtend", row.end.astimezone(zone))
        who = f"{row.other.name} ({row.other.organisation})" if row.other.organisation else row.other.name
        entry.add("summary", _("Meeting with %(who)s", who=who))
        place = ", ".join(part for part in (event.venue, event.city) if part)
        table = _("Table %(number)s", number=row.table_no) if row.table_no else ""
        entry.add("location", " – ".join(part for part in (place, table) if part))
        entry.add("description", f"{event.title}\n{side_details(row.other)}")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# The table plan.


@dataclass(frozen=True)
class TableSeat:
    table_no: int
    meeting_id: int
    sides: tuple[Side, Side]


@dataclass(frozen=True)
class PlanSlot:
    start: datetime
    end: datetime
    tables: int
    seats: list[TableSeat]


def table_plan_query(event_id: int) -> Select[tuple[Meeting]]:
    """The meetings on the event's table plan, in the plan's order (slot, then table)."""
    return (
        select(Meeting)
        .where(
            Meeting.event_id == event_id,
            Meeting.slot_start.is_not(None),
            Meeting.status.in_(SHOWN),
        )
        .order_by(Meeting.slot_start, Meeting.table_no, Meeting.id)
    )


def table_plan(event: Event, meeting_ids: Sequence[int] | None = None) -> list[PlanSlot]:
    """Per slot with meetings, in time order: table -> the two sides, by table number.

    With ``meeting_ids``, only those meetings (a print job renders the plan a few slots at a time)."""
    people = (selectinload(Registration.person).selectinload(Person.organisation),)
    query = table_plan_query(event.id).options(
        selectinload(Meeting.requester).options(*people),
        selectinload(Meeting.counterpart).options(*people),
    )
    if meeting_ids is not None:
        query = query.where(Meeting.id.in_(list(meeting_ids)))
    meetings = db.session.scalars(query)
    slots = {slot.start: slot for slot in event_slots(event)}
    grouped: dict[datetime, list[TableSeat]] = defaultdict(list)
    for meeting in meetings:
        assert meeting.slot_start is not None
        seat = TableSeat(
            table_no=meeting.table_no or 0,
            meeting_id=meeting.id,
            sides=(Side.of(meeting.requester), Side.of(meeting.counterpart)),
        )
        grouped[meeting.slot_start].append(seat)
    plan = []
    for start, seats in sorted(grouped.items()):
        slot = slots.get(start)
        end = slot.end if slot else start + timedelta(minutes=event.slot_minutes or 0)
        tables = slot.tables if slot else (event.tables or 0)
        plan.append(PlanSlot(start=start, end=end, tables=tables, seats=seats))
    return plan


def table_plan_pdf(event: Event, meeting_ids: Sequence[int] | None = None) -> bytes:
    """The table plan, one slot per A4 landscape page (see the module's docstring for why).

    About 30 ms a meeting: a whole brokerage event's plan is rendered by a print job (badges/job_kinds.py)
    in chunks of whole slots (``meeting_ids``), never inside a web request."""
    plan = table_plan(event, meeting_ids)
    html = render_template("pdf/table_plan.html", event=event, plan=plan, **template_helpers())
    return render_pdf(html)
