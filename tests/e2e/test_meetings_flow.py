"""Meetings on a phone: A finds B in the marketplace and asks for a meeting; B accepts, picking a time
they are both free; both see the meeting, with its time and table, on their meetings pages."""

from __future__ import annotations

import pytest
from flask import Flask

from move_events.directory.models import OrganisationKind
from move_events.meetings.booking import event_slots
from move_events.templating import local_datetime
from tests.e2e.conftest import SCREENSHOTS
from tests.meetings.requests_support import meeting_event, participant_of, token_for


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.phone
def test_find_request_accept_with_a_slot_on_a_phone(page, app: Flask, db, live_server):
    event = meeting_event(title="Green Hydrogen B2B Casablanca")
    amina = participant_of(
        event, "Amina", organisation="Atlas Solaire", offers="Solar-powered desalination plants"
    )
    bruno = participant_of(
        event,
        "Bruno",
        country="BR",
        kind=OrganisationKind.CLUSTER,
        organisation="Cluster Naval do Sul",
        offers="Ship design and hydrogen-ready hulls",
        requests="Port partners in Morocco",
        profile_sectors=["Shipbuilding", "Hydrogen"],
        target_markets=["MA"],
    )
    for name in ("Chen", "Dana", "Emre"):
        participant_of(event, name, offers="Something else entirely")
    token_a, token_b = token_for(app, amina), token_for(app, bruno)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"/r/{token_a}/marketplace")
    page.get_by_label("Search").fill("hulls")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 participant", exact=True).wait_for()
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "meetings-marketplace-phone.png"), full_page=True)
    page.get_by_role("link", name=bruno.person.full_name).click()
    page.get_by_text("Port partners in Morocco").wait_for()
    page.get_by_label("Your message").fill("Could we talk about hydrogen bunkering in Tanger Med?")
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "meetings-profile-phone.png"), full_page=True)
    page.get_by_role("button", name="Request a meeting").click()
    page.get_by_text("Your request is sent").wait_for()

    page.goto(f"/r/{token_b}/meetings")
    page.get_by_text("hydrogen bunkering").wait_for()
    slot = event_slots(event)[1]
    with app.test_request_context():
        when = local_datetime(slot.start, event.timezone, "short")
    page.get_by_label("Pick a time").select_option(label=when)
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "meetings-incoming-phone.png"), full_page=True)
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Meeting accepted").wait_for()
    page.get_by_text(f"{when} · Table 1").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "meetings-accepted-b-phone.png"), full_page=True)

    page.goto(f"/r/{token_a}/meetings")
    page.get_by_text(f"{when} · Table 1").wait_for()
    assert page.get_by_text(bruno.person.full_name).count() >= 1
    no_sideways_scroll(page)

    page.get_by_role("link", name="Availability").click()
    booked = page.locator(f'input[name="unavailable"][value="{slot.start.isoformat()}"]')
    assert booked.is_disabled()  # a time with a meeting cannot be marked unavailable
    page.get_by_text("you have a meeting").wait_for()
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "meetings-availability-phone.png"), full_page=True)
