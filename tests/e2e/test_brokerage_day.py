"""Issue #5's promise, as a newcomer would try it on the demo: two SMEs of the demo brokerage event find
each other in the marketplace, one requests, the other accepts, the organiser runs the scheduler, both
download an agenda with the same slot and table, the meeting is marked held, and the KPI counting
functions count it as a B2B meeting."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from move_events.events.models import Event
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingStatus, Unavailability
from move_events.registration.links import load_personal_token
from move_events.reports.queries import ReportFilter, events_and_meetings

LINK = re.compile(r"^\s+(?P<name>.+) \((?P<organisation>.+)\): \S+?(?P<path>/r/\S+)$", re.MULTILINE)


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)
    finally:
        document.close()


def morocco_row():
    rows = events_and_meetings(ReportFilter(target_country="MA"))
    return next(row for row in rows if row.country == "MA")


def the_day_comes(event: Event) -> None:
    """Move the event and everything booked in it into the past, as if its day had come and gone."""
    shift = event.ends_at - event.starts_at + timedelta(days=400)
    event.starts_at, event.ends_at = event.starts_at - shift, event.ends_at - shift
    for session in event.sessions:
        session.starts_at, session.ends_at = session.starts_at - shift, session.ends_at - shift
    meetings = _db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)).all()
    people = {m.requester_id for m in meetings} | {m.counterpart_id for m in meetings}
    for meeting in meetings:
        if meeting.slot_start is not None:
            meeting.slot_start -= shift
        for booking in meeting.bookings:
            booking.slot_start -= shift
    for gap in _db.session.scalars(select(Unavailability).where(Unavailability.registration_id.in_(people))):
        gap.slot_start -= shift
    _db.session.commit()


@pytest.mark.phone
def test_demo_brokerage_from_marketplace_to_kpi(app, page, db, browser, live_server):
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    (a_name, _, a_path), (b_name, b_org, b_path) = [
        (m["name"], m["organisation"], m["path"]) for m in LINK.finditer(seeded.output)
    ]
    before = morocco_row()

    # A finds B in the marketplace and asks for a meeting.
    page.goto(a_path)
    page.get_by_role("link", name="Find participants").click()
    page.get_by_label("Search").fill(b_org)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=b_name).click()
    page.get_by_label("Your message").fill("Shall we talk about cold-chain routes to Agadir?")
    page.get_by_role("button", name="Request a meeting").click()
    page.get_by_text("Your request is sent").wait_for()

    with app.test_request_context():
        a, b = load_personal_token(a_path.split("/")[2]), load_personal_token(b_path.split("/")[2])
        meeting = _db.session.scalar(
            select(Meeting).where(Meeting.requester_id == a.id, Meeting.counterpart_id == b.id)
        )
        event = a.event
    assert meeting.status == MeetingStatus.REQUESTED

    # B accepts and leaves the time to the organisers.
    page.goto(b_path)
    page.get_by_role("link", name="My meetings").click()
    card = page.get_by_test_id(f"incoming-{meeting.id}")
    card.get_by_text("cold-chain routes to Agadir").wait_for()
    card.get_by_role("combobox").select_option("")
    card.get_by_role("button", name="Accept").click()
    page.get_by_text("Meeting accepted").wait_for()

    # The organiser (the demo's login) runs the scheduler on a laptop-sized window.
    organiser = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    desk = organiser.new_page()
    desk.goto("/auth/login")
    desk.get_by_label("E-mail").fill("organiser@move-events.example")
    desk.get_by_label("Password").fill("demo-organiser-2026")
    desk.get_by_role("button", name="Log in").click()
    desk.goto(f"/manage/events/{event.id}")
    desk.get_by_role("link", name="Meetings and scheduler").click()
    desk.get_by_text("Run the scheduler", exact=True).first.click()  # opens the <details>
    desk.get_by_label("Yes, re-plan every meeting").check()
    desk.get_by_role("button", name="Run the scheduler").click()
    desk.wait_for_url("**/meetings/schedule/*")  # the job's page: progress, then (reloaded) its result
    desk.locator("[data-stat=placed]").wait_for()

    _db.session.expire_all()
    meeting = _db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.table_no is not None
    local = meeting.slot_start.astimezone(ZoneInfo(event.timezone))
    time = rf"\b0?{local.hour}:{local.minute:02d}\b"  # 9:30 or 09:30, as the person's locale writes it

    # Both download their agendas: the same time and table, facing each other.
    for path, other, reader in ((a_path, b_name, a), (b_path, a_name, b)):
        with app.test_request_context(), force_locale(reader.person.preferred_language):
            table_word = gettext("Table")  # the agenda is in its reader's language
        response = page.request.get(f"{path}/agenda.pdf")
        assert response.ok and response.headers["content-type"] == "application/pdf"
        text = pdf_text(response.body())
        row = text[: text.index(other)][-120:]  # the row leading up to the other side's name
        assert re.search(time, row), (other, row)
        assert re.search(rf"{table_word}\s*{meeting.table_no}\b", row, re.IGNORECASE), (other, row)

    # The day comes; the organiser marks the meeting held.
    the_day_comes(event)
    desk.goto(f"/manage/events/{event.id}/meetings?q={a_name}")
    desk.locator(f"tr:has-text('{b_name}')").get_by_role("button", name="Held", exact=True).click()
    desk.get_by_text("The meeting is marked.").wait_for()
    organiser.close()

    _db.session.expire_all()
    assert _db.session.get(Meeting, meeting.id).status == MeetingStatus.COMPLETED
    after = morocco_row()
    assert after.b2b_meetings == before.b2b_meetings + 1  # two SMEs: B2B
    assert after.c2c_meetings == before.c2c_meetings
