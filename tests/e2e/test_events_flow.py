"""The foundation's promise, as a newcomer tries it: log in, create, publish, find it on the list."""

from datetime import UTC, datetime, timedelta

import pytest

from move_events.auth.models import Role
from tests.support import PASSWORD


def log_in(page, auth, role=Role.ORGANISER):
    user = auth.user(role)
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/manage/events/")


def test_organiser_creates_publishes_and_finds_event(page, auth):
    log_in(page, auth)
    page.get_by_role("link", name="New event").click()
    start = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%d")
    page.get_by_label("Title", exact=True).fill("Smart Ports Brokerage Tanger")
    page.get_by_label("Category").select_option("b2b")
    page.get_by_label("Type").select_option("brokerage")
    page.get_by_label("Target country").select_option("MA")
    page.get_by_label("Starts").fill(f"{start}T09:00")
    page.get_by_label("Ends", exact=True).fill(f"{start}T17:30")
    page.get_by_label("Time zone").select_option("Africa/Casablanca")
    page.get_by_label("Venue", exact=True).fill("Tanger Med Port Center")
    page.get_by_label("City", exact=True).fill("Tanger")
    page.get_by_label("Capacity").fill("150")
    page.get_by_role("button", name="Save").click()

    page.get_by_text("Event created as a draft").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Event published").wait_for()

    page.goto("/events/")
    card = page.get_by_role("link", name="Smart Ports Brokerage Tanger")
    card.click()
    page.get_by_text("Tanger Med Port Center").wait_for()
    assert (
        "9:00" in page.get_by_text("Africa/Casablanca").locator("..").inner_text()
    )  # in the event's time zone


def test_event_form_shows_errors_next_to_fields_and_keeps_input(page, auth):
    log_in(page, auth)
    page.goto("/manage/events/new")
    start = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%d")
    page.get_by_label("Title", exact=True).fill("Back-to-front workshop")
    page.get_by_label("Starts").fill(f"{start}T17:00")
    page.get_by_label("Ends", exact=True).fill(f"{start}T09:00")
    page.get_by_label("Capacity").fill("0")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The event must end after it starts.").wait_for()
    page.get_by_text("Capacity must be at least 1 (leave it empty for no limit).").wait_for()
    assert page.locator("#capacity ~ .invalid-feedback").count() == 1
    assert page.get_by_label("Title", exact=True).input_value() == "Back-to-front workshop"


@pytest.mark.phone
def test_public_event_list_fits_a_phone(page, auth, db):
    from tests.factories import make_event

    make_event(published=True, title="Creative IT info day Recife", target_country="BR")
    page.goto("/events/")
    page.get_by_role("link", name="Creative IT info day Recife").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_language_switcher_changes_the_page_language(page, db):
    page.goto("/events/")
    page.get_by_label("Language").select_option("fr")  # submits on change (static/js/app.js)
    page.wait_for_url("**lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto("/events/")  # the choice is kept for the session
    assert page.locator("html").get_attribute("lang") == "fr"
