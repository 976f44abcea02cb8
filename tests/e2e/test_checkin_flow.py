"""At the door: a handheld scanner types a badge code and Enter into the focused field."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from move_events.auth.models import Role
from move_events.badges.qr import qr_png
from move_events.badges.tokens import make_badge_token
from tests.e2e.conftest import CHROMIUM_ARGS, SCREENSHOTS, chromium_path
from tests.factories import make_event, register, upcoming
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
    already = re.compile(r"already checked in at \d\d:\d\d\. Checked in by Staff at door North\.")
    result.get_by_text(already).wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "door-already-checked-in.png"))

    i = len(token) - 5  # inside the MAC; the last character also holds padding bits
    forged = token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1 :]
    scanner_types(page, forged)
    result.get_by_text("not a valid badge").wait_for()
    assert "door-result--invalid" in result.get_attribute("class")

    page.screenshot(path=str(SCREENSHOTS / "door-invalid-scan.png"))

    assert page.locator("#inside").inner_text() == "1"
    page.get_by_text("Exit", exact=True).click()  # the scan direction toggle
    page.get_by_role("button", name="Check out").wait_for()
    scanner_types(page, token)
    result.get_by_text("Goodbye, Salma Tazi!").wait_for()
    assert page.locator("#inside").inner_text() == "0" and page.locator("#arrived").inner_text() == "1"

    page.reload()
    assert page.get_by_label("Door", exact=True).input_value() == "North"  # remembered on this device
    assert page.locator("#direction-exit").is_checked()  # so is the direction


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
    page.get_by_role("button", name="Scan with the camera").wait_for()  # BarcodeDetector or the server
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the door page scrolls sideways on a phone ({width}px)"


def badge_film(registration) -> bytes:
    """Frames of the badge's QR code held up to a camera, as MJPEG (JPEGs one after another)."""
    code = Image.open(io.BytesIO(qr_png(make_badge_token(registration)))).convert("RGB").resize((300, 300))
    frame = Image.new("RGB", (640, 480), (120, 130, 140))
    frame.paste(code, (170, 90))
    buffer = io.BytesIO()
    frame.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue() * 30


@pytest.fixture
def filmed_badge(browser, live_server, db, tmp_path):
    """A second Chromium whose camera films a badge (an MJPEG file), and that badge's registration.

    Chromium on Linux has no BarcodeDetector, so the door page must send frames to the server."""
    registration = register(make_event(published=True, title="Creative IT info day Recife"))
    video = tmp_path / "camera.mjpeg"
    video.write_bytes(badge_film(registration))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    filming = browser.browser_type.launch(executable_path=chromium_path(), args=args)
    context = filming.new_context(base_url=live_server, viewport={"width": 390, "height": 844})
    context.grant_permissions(["camera"])
    context.set_default_timeout(15_000)
    yield context.new_page(), registration
    filming.close()


def test_camera_frames_are_decoded_on_the_server(filmed_badge, auth):
    page, registration = filmed_badge
    open_door(page, auth, registration.event)
    assert page.evaluate("'BarcodeDetector' in window") is False, "this test is for the server path"
    page.get_by_role("button", name="Scan with the camera").click()
    page.get_by_text("sends camera pictures to the server").wait_for()
    result = page.locator("#result")
    result.get_by_text(f"Welcome, {registration.person.full_name}!").wait_for()
    assert page.locator("#arrived").inner_text() == "1"
    result.get_by_text(re.compile(r"already checked in at \d\d:\d\d")).wait_for()  # the badge stays in view
    assert page.locator("#arrived").inner_text() == "1"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "door-camera-server-decoding.png"))
    page.get_by_role("button", name="Stop the camera").click()


def test_organiser_makes_day_lists_and_the_door_welcomes_once_a_day(page, auth, db):
    from datetime import timedelta

    from babel.dates import format_date

    starts = upcoming(3, 4, 8)  # never in the past
    day1, day2 = (format_date(starts.date() + timedelta(days=n), "full", locale="en") for n in (0, 1))
    event = make_event(
        published=True,
        title="Smart Ports Brokerage Tanger",
        starts_at=starts,
        ends_at=starts + timedelta(hours=32),
        created_by=auth.user(Role.ORGANISER),
    )
    registration = register(event, given_name="Salma", family_name="Tazi")
    register(event)
    token = make_badge_token(registration)
    user = auth.user(Role.ORGANISER)
    page.goto(f"/auth/login?next=/checkin/{event.id}/lists")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    for name, day in (("Day 1", day1), ("Day 2", day2)):  # e.g. "Thursday, March 4, 2027"
        page.get_by_label("Name").fill(name)
        page.get_by_label("Day").select_option(label=day)
        page.get_by_role("button", name="Create the list").click()
        page.get_by_text(f"List {name} created.").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "checkin-lists.png"), full_page=True)

    page.get_by_role("link", name="Open the door page").click()
    page.wait_for_url(f"**/checkin/{event.id}")  # loaded: the script now listens to the list choice
    page.get_by_label("Check-in list").select_option(label=f"Day 1 · {day1}")
    page.locator("#list-counter").get_by_text("Day 1").wait_for()  # the page reloaded on the list
    page.get_by_label("Scan a badge").focus()
    scanner_types(page, token)
    page.locator("#result").get_by_text("Welcome, Salma Tazi!").wait_for()
    assert page.locator("#list-arrived").inner_text() == "1"
    assert page.locator("#list-expected").inner_text() == "2"
    scanner_types(page, token)
    page.locator("#result").get_by_text("List: Day 1.").wait_for()

    page.get_by_label("Check-in list").select_option(label=f"Day 2 · {day2}")
    page.locator("#list-counter").get_by_text("Day 2").wait_for()
    assert page.locator("#list-arrived").inner_text() == "0"
    page.get_by_label("Scan a badge").focus()
    scanner_types(page, token)
    page.locator("#result").get_by_text("Welcome, Salma Tazi!").wait_for()
    assert page.locator("#list-arrived").inner_text() == "1" and page.locator("#arrived").inner_text() == "1"
    page.screenshot(path=str(SCREENSHOTS / "door-on-a-day-list.png"), full_page=True)
