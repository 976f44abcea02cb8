"""At the door: a handheld scanner types a badge code and Enter into the focused field."""

from __future__ import annotations

import re

import pytest

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import make_event, register
from tests.support import PASSWORD


def open_door(page, auth, event):
    user = auth.user(Role.STAFF)
    page.goto(f"/auth/login?next=/checkin/{event.id}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/checkin/{event.id}")


def scanner_types(page, text):
    page.keyboard.type(text)  # into whatever has focus: the scanner cannot click
    page.keyboard.press("Enter")


def test_door_staff_scans_badges_with_a_handheld_scanner(page, auth, db):
    event = make_event(published=True, title="Smart Ports Brokerage Tanger")
    registration = register(event, given_name="Salma", family_name="Tazi")
    token = make_badge_token(registration)
    open_door(page, auth, event)
    page.get_by_label("Door", exact=True).fill("North")
    page.get_by_label("Scan a badge").focus()

    scanner_types(page, token)
    result = page.locator("#result")
    result.get_by_text("Welcome, Salma Tazi!").wait_for()
    assert page.locator("#arrived").inner_text() == "1"
    assert page.evaluate("document.activeElement.id") == "token"
    assert page.get_by_label("Scan a badge").input_value() == ""

    scanner_types(page, token)
    result.get_by_text(re.compile(r"already checked in at \d\d:\d\d by Staff at door North")).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "door-already-checked-in.png"))

    i = len(token) - 5  # inside the MAC; the last character also holds padding bits
    forged = token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1 :]
    scanner_types(page, forged)
    result.get_by_text("not a valid badge").wait_for()
    assert "door-result--invalid" in result.get_attribute("class")

    page.screenshot(path=str(SCREENSHOTS / "door-invalid-scan.png"))
    page.reload()
    assert page.get_by_label("Door", exact=True).input_value() == "North"  # remembered on this device


@pytest.mark.phone
def test_door_page_fits_a_phone_and_checks_in_by_name(page, auth, db):
    event = make_event(published=True, title="Creative IT info day Recife")
    register(event, given_name="Youssef", family_name="Alaoui")
    open_door(page, auth, event)
    page.get_by_label("Find by name").fill("alaoui")
    page.locator("#search-results").get_by_role("button", name="Check in").click()
    page.locator("#result").get_by_text("Welcome, Youssef Alaoui!").wait_for()
    page.get_by_role("button", name="Undo this check-in").click()
    page.locator("#result").get_by_text("Check-in of Youssef Alaoui undone.").wait_for()
    assert page.locator("#arrived").inner_text() == "0"
    page.locator("#search-results").get_by_role("button", name="Check in").wait_for()  # refreshed
    camera = page.get_by_text("Camera scanning needs a browser")
    camera.or_(page.get_by_role("button", name="Scan with the camera")).wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the door page scrolls sideways on a phone ({width}px)"
