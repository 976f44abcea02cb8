"""Browser: the organiser's table plan page lines up a name written in Arabic with its column."""

from __future__ import annotations

from move_events.auth.models import Role
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_events_flow import log_in
from tests.meetings.agenda_support import agenda_event, person_at, scheduled


def test_table_plan_lines_up_arabic_names_with_the_column(page, auth, db):
    event = agenda_event(created_by=auth.user(Role.ORGANISER))
    chiara, youssef = person_at(event, "Chiara", "Tester"), person_at(event, "يوسف", "التازي")
    bruno, dalia = person_at(event, "Bruno", "Tester"), person_at(event, "Dalia", "Tester")
    scheduled(chiara, youssef, 0, table=1)
    scheduled(bruno, dalia, 0, table=2)
    log_in(page, auth)
    page.goto(f"/manage/events/{event.id}/table-plan")
    arabic = page.get_by_role("link", name="يوسف التازي").bounding_box()
    latin = page.get_by_role("link", name="Dalia Tester").bounding_box()  # the same column, next row
    page.screenshot(path=str(SCREENSHOTS / "table-plan-arabic-page.png"), full_page=True)
    # Aligned to its own (right-to-left) start, the name sat at the far end of its cell.
    assert abs(arabic["x"] - latin["x"]) < 3
