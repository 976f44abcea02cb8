"""Agendas and table plans as services: the rows (order, time zone, what is left out), the printed day,
the PDFs read back with pdfium (text, pages, fonts), the .ics parsed back with icalendar."""

from __future__ import annotations

import ctypes
from datetime import UTC, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from babel.dates import format_date
from icalendar import Calendar

from move_events.directory.models import OrganisationKind
from move_events.meetings.agendas import (
    agenda_for,
    agenda_ics,
    agenda_pdf,
    agendas_for,
    table_plan,
    table_plan_pdf,
    time_range,
)
from move_events.meetings.models import MeetingStatus, Unavailability
from tests.meetings.agenda_support import (
    TIMEZONE,
    agenda_event,
    meeting,
    person_at,
    scheduled,
    slot_start,
)
from tests.support import pdf_left_edge

SCREENSHOTS = Path("/tmp/move-events-screenshots")


def read_pdf(data: bytes, *, png: str | None = None) -> tuple[list[str], list[tuple[float, float]], set[str]]:
    """Each page's text, each page's size in mm, and the fonts the text is set in."""
    document = pdfium.PdfDocument(data)
    texts, sizes, fonts = [], [], set()
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            width, height = page.get_size()
            sizes.append((round(width / 72 * 25.4), round(height / 72 * 25.4)))
            for char in range(textpage.count_chars()):
                size = pdfium_raw.FPDFText_GetFontInfo(textpage, char, None, 0, None)
                buffer = ctypes.create_string_buffer(size)
                pdfium_raw.FPDFText_GetFontInfo(textpage, char, buffer, size, None)
                fonts.add(buffer.value.decode())
            if png and index == 0:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.render(scale=1.5).to_pil().save(SCREENSHOTS / png)
            textpage.close()
            page.close()
    finally:
        document.close()
    return texts, sizes, fonts - {""}


@pytest.fixture
def day(db):
    """Amira meets three people at slots 3, 0 and 1; one more is accepted without a time; three other
    meetings are only requested, declined or cancelled."""
    event = agenda_event()
    amira = person_at(event, "Amira", "Haddad", organisation="Atlas Hydrogen", country="MA")
    people = {
        name: person_at(event, name, "Petrova" if name == "Elena" else "Tester", country="BG")
        for name in ("Elena", "Bruno", "Chiara", "Dalia", "Emil", "Farid", "Goran")
    }
    scheduled(amira, people["Elena"], 3, table=2)
    scheduled(people["Bruno"], amira, 0, table=1)  # Amira is the counterpart here
    scheduled(amira, people["Chiara"], 1, table=3)
    meeting(people["Dalia"], amira)  # accepted, no time yet
    meeting(amira, people["Emil"], status=MeetingStatus.REQUESTED)
    meeting(amira, people["Farid"], status=MeetingStatus.DECLINED)
    meeting(people["Goran"], amira, status=MeetingStatus.CANCELLED)
    scheduled(people["Emil"], people["Farid"], 0)  # not Amira's
    return event, amira, people


def test_agenda_rows_in_time_order_with_the_other_side(app, day):
    _event, amira, _people = day
    agenda = agenda_for(amira)
    assert [row.other.name for row in agenda.rows] == ["Bruno Tester", "Chiara Tester", "Elena Petrova"]
    assert [row.start for row in agenda.rows] == [slot_start(0), slot_start(1), slot_start(3)]
    assert [row.table_no for row in agenda.rows] == [1, 3, 2]
    assert all(row.end - row.start == timedelta(minutes=25) for row in agenda.rows)
    assert agenda.rows[0].end == slot_start(0).replace(minute=25)
    bruno = agenda.rows[0].other
    assert (bruno.country, bruno.kind) == ("BG", OrganisationKind.SME)
    assert [row.other.name for row in agenda.unscheduled] == ["Dalia Tester"]
    shown = {row.other.name.split()[0] for row in agenda.rows + agenda.unscheduled}
    assert shown.isdisjoint({"Emil", "Farid", "Goran"})  # requested, declined, cancelled


def test_agenda_times_are_shown_in_the_event_time_zone(app, day):
    _event, amira, _people = day
    row = agenda_for(amira).rows[0]
    assert row.start.tzinfo is not None and row.start.astimezone(UTC).hour == 6
    with app.test_request_context():
        assert time_range(row.start, row.end, TIMEZONE) == "9:00\u202fAM – 9:25\u202fAM"
        assert time_range(row.start, row.end, "UTC") == "6:00\u202fAM – 6:25\u202fAM"


def test_agenda_timeline_shows_free_and_unavailable_slots_as_breaks(app, db, day):
    _event, amira, _people = day
    db.session.add(Unavailability(registration_id=amira.id, slot_start=slot_start(5)))
    db.session.commit()
    timeline = agenda_for(amira).timeline
    kinds = [(entry.kind, entry.start, entry.end) for entry in timeline]
    assert kinds == [
        ("meeting", slot_start(0), slot_start(0).replace(minute=25)),
        ("meeting", slot_start(1), slot_start(1).replace(minute=55)),
        ("free", slot_start(2), slot_start(2).replace(minute=25)),
        ("meeting", slot_start(3), slot_start(3).replace(minute=55)),
        ("free", slot_start(4), slot_start(4).replace(minute=25)),  # one break: slot 4 only
        ("unavailable", slot_start(5), slot_start(5).replace(minute=55)),
    ]


def test_agendas_for_many_people_load_together_in_the_order_given(app, day):
    _event, amira, people = day
    order = [people["Elena"], amira, people["Goran"]]
    agendas = agendas_for(order)
    assert [agenda.registration.id for agenda in agendas] == [r.id for r in order]
    assert [row.other.name for row in agendas[0].rows] == ["Amira Haddad"]
    assert agendas[2].rows == [] and agendas[2].unscheduled == [] and agendas[2].timeline == []


def test_agenda_pdf_shows_times_tables_and_names(app, day):
    event, amira, _people = day
    with app.test_request_context():
        texts, sizes, fonts = read_pdf(agenda_pdf([amira]), png="agenda.png")
    assert sizes == [(210, 297)]  # A4 portrait, one page
    text = texts[0]
    for expected in (event.title, "Sofia Tech Park", "Amira Haddad", "Atlas Hydrogen", "Elena Petrova"):
        assert expected in text
    assert "9:00\u202fAM – 9:25\u202fAM" in text or "9:00 AM – 9:25 AM" in text
    lines = text.splitlines()
    elena_at = next(i for i, line in enumerate(lines) if "Elena Petrova" in line)
    assert "10:30" in " ".join(lines[elena_at - 4 : elena_at])  # slot 3 at 10:30 Sofia time, table 2 …
    assert "2" in " ".join(lines[elena_at - 2 : elena_at])
    assert "Free" in text and "Dalia Tester" in text  # a break; accepted without a time
    assert "Emil" not in text and "Goran" not in text
    assert fonts and all("DejaVu" in font for font in fonts), fonts


def test_agenda_pdf_one_agenda_a_page_and_long_ones_continue(app, db):
    event = agenda_event(slots=24, tables=20)
    busy = person_at(event, "Nadia")
    others = [person_at(event, f"Person{index}") for index in range(24)]
    for index, other in enumerate(others):
        scheduled(busy, other, index)
    with app.test_request_context():
        texts, sizes, _fonts = read_pdf(agenda_pdf(others))
        assert len(texts) == 24 and set(sizes) == {(210, 297)}
        assert all("Nadia" in text for text in texts)
        long_texts, _sizes, _fonts = read_pdf(agenda_pdf([others[0], busy, others[1]]))
    assert len(long_texts) >= 4  # Nadia's 24 meetings take more than one page
    assert long_texts[0].count("Nadia") >= 1 and "Person0" not in long_texts[-1]
    assert all("Nadia" in text for text in long_texts[1:-1])  # her name heads each of her pages


def test_agenda_pdf_prints_arabic_and_cyrillic_names_with_real_glyphs(app, db):
    event = agenda_event()
    fatima = person_at(event, "فاطمة الزهراء", "العلوي", organisation="مجموعة الطاقات المتجددة")
    desislava = person_at(event, "Десислава", "Николова", organisation="Български клъстер", country="BG")
    scheduled(fatima, desislava, 0)
    with app.test_request_context():
        texts, _sizes, fonts = read_pdf(agenda_pdf([fatima, desislava]), png="agenda-arabic.png")
    assert "Десислава Николова" in texts[0] and "Български клъстер" in texts[0]
    assert "العلوي" in texts[1] and "فاطمة" in texts[1]
    assert all("\ufffd" not in text and "\x00" not in text for text in texts)
    assert fonts and all("DejaVu" in font for font in fonts), fonts  # DejaVu has both scripts


def test_agenda_ics_has_one_event_per_scheduled_meeting(app, day):
    _event, amira, _people = day
    with app.test_request_context():
        first, again = agenda_ics(amira), agenda_ics(amira)
    entries = Calendar.from_ical(first).walk("VEVENT")
    assert len(entries) == 3  # the accepted meeting without a time is not in it
    starts = sorted(entry.decoded("dtstart").astimezone(UTC) for entry in entries)
    assert starts == [slot_start(0), slot_start(1), slot_start(3)]
    elena = next(entry for entry in entries if "Elena Petrova" in str(entry["summary"]))
    assert elena.decoded("dtstart").astimezone(UTC) == slot_start(3)
    assert elena["dtstart"].params["TZID"] == TIMEZONE
    assert elena.decoded("dtend") - elena.decoded("dtstart") == timedelta(minutes=25)
    assert str(elena["location"]) == "Sofia Tech Park, Sofia – Table 2"
    assert Calendar.from_ical(first).walk("VTIMEZONE")  # the zone travels with the file
    uids = {str(entry["uid"]) for entry in entries}
    assert uids == {str(entry["uid"]) for entry in Calendar.from_ical(again).walk("VEVENT")}
    assert len(uids) == 3


def test_table_plan_lists_each_slot_table_by_table(app, day):
    event, _amira, _people = day
    plan = table_plan(event)
    assert [slot.start for slot in plan] == [slot_start(0), slot_start(1), slot_start(3)]
    first = plan[0]
    assert [seat.table_no for seat in first.seats] == [1, 2]
    assert [side.name for side in first.seats[0].sides] == ["Bruno Tester", "Amira Haddad"]
    assert first.tables == 3 and first.end == slot_start(0).replace(minute=25)


def test_table_plan_pdf_is_one_landscape_page_a_slot(app, day):
    event, _amira, _people = day
    with app.test_request_context():
        texts, sizes, fonts = read_pdf(table_plan_pdf(event), png="table-plan.png")
    assert len(texts) == 3 and set(sizes) == {(297, 210)}
    assert "Bruno Tester" in texts[0] and "Amira Haddad" in texts[0] and "Elena Petrova" in texts[2]
    assert "9:00" in texts[0] and "10:30" in texts[2]
    assert fonts and all("DejaVu" in font for font in fonts), fonts


def test_table_plan_pdf_lines_up_arabic_names_with_the_column(app, db):
    event = agenda_event()
    fatima = person_at(event, "فاطمة", "العلوي")
    bruno, chiara, dalia = (person_at(event, name, "Tester") for name in ("Bruno", "Chiara", "Dalia"))
    scheduled(fatima, chiara, 0, table=1)
    scheduled(bruno, dalia, 0, table=2)
    with app.test_request_context():
        data = table_plan_pdf(event)
        read_pdf(data, png="table-plan-arabic.png")
    # Right-aligned in its cell, the Arabic name sat against the next column's name (~135 mm further).
    assert abs(pdf_left_edge(data, "فاطمة العلوي") - pdf_left_edge(data, "Bruno Tester")) < 3


def test_agenda_pdf_renders_in_a_background_job_in_the_persons_language(app, day):
    """The print-jobs worker has an app context but no request: dates still follow the forced locale."""
    from flask_babel import force_locale

    _event, amira, _people = day
    with force_locale("fr"):
        texts, _sizes, _fonts = read_pdf(agenda_pdf([amira]))
    day_in_french = format_date(slot_start(0).date(), "full", locale="fr")  # "mardi 15 juin 2027"
    assert day_in_french in texts[0].lower() and "Elena Petrova" in texts[0]
