"""Browser: an organiser prints an event's badges in the background and downloads the PDF."""

from __future__ import annotations

from move_events.auth.models import Role
from tests.badges.test_views import page_count
from tests.e2e.test_events_flow import log_in
from tests.factories import make_event, register


def test_organiser_prints_badges_in_the_background(page, auth, db):
    owner = auth.user(Role.ORGANISER)
    event = make_event(published=True, capacity=20, created_by=owner)
    for n in range(6):
        register(event, family_name=f"Person {n}")
    log_in(page, auth)
    page.goto(f"/manage/events/{event.id}")
    page.select_option("#badge-layout", "a4_quad")
    page.check("#badge-only-unprinted")
    page.get_by_role("button", name="Print badges (PDF, in the background)").click()
    page.wait_for_url("**/manage/badge-jobs/*")
    download_button = page.get_by_role("link", name="Download the PDF")
    download_button.wait_for(state="visible", timeout=60_000)
    assert page.locator("[data-role=bar]").inner_text() == "100%"
    assert "6 of 6 badges rendered" in page.locator("[data-role=count]").inner_text()
    with page.expect_download() as info:
        download_button.click()
    with open(info.value.path(), "rb") as pdf:
        assert page_count(pdf.read()) == 2
