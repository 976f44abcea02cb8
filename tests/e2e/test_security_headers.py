"""The Content-Security-Policy in a real browser: every main page loads without a violation, and the
pages' own scripts still work under it (the door scans a typed badge token, forms submit)."""

from __future__ import annotations

import pytest
from flask import Flask

from move_events.auth.models import Role
from move_events.badges.models import BadgePrintJob
from move_events.badges.tokens import make_badge_token
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting
from move_events.outbox.models import OutboxMessage
from tests.e2e.conftest import SCREENSHOTS
from tests.meetings.requests_support import meeting_event, participant_of, token_for
from tests.support import PASSWORD

# Collects violations from the first script that runs in every page (Playwright injects it through the
# DevTools protocol, which the page's policy does not govern).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(
    e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber
  );
});
"""


class Watch:
    """Console errors and CSP violations of one page, asserted empty after each visit."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.console.append(f"uncaught: {e}"))

    def visit(self, path: str, *, shot: str | None = None) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        self.check(path)
        if shot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"csp-{shot}.png"), full_page=True)

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__csp || []")
        csp_console = [m for m in self.console if "Content Security Policy" in m or "uncaught" in m]
        assert violations == [] and csp_console == [], f"{where}: {violations} {csp_console}"


def log_in(page, auth, role: Role) -> None:
    user = auth.user(role)
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/events/**")


def test_security_headers_pages_load_without_csp_violations(page, app: Flask, auth, db, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", False)
    event = meeting_event(title="Green Hydrogen B2B Casablanca")
    amina = participant_of(event, "Amina", organisation="Atlas Solaire", offers="Solar desalination")
    bruno = participant_of(event, "Bruno", country="BR", organisation="Cluster Naval do Sul")
    meeting = Meeting(event=event, requester=amina, counterpart=bruno)
    admin = auth.user(Role.ADMIN)
    job = BadgePrintJob(event=event, requested_by=admin, layout="a6", statuses=["confirmed"], total=2)
    message = OutboxMessage(
        to_address="amina@example.ma", subject="Confirmed", body_text="You are registered.",
        body_html='<div style="color: #333"><style>p { margin: 0 }</style><p>You are registered.</p></div>',
    )  # fmt: skip
    _db.session.add_all([meeting, job, message])
    _db.session.commit()
    token, badge = token_for(app, amina), make_badge_token(bruno)
    watch = Watch(page)

    # Anonymous: public pages, the registration form (submitted), personal-link pages.
    watch.visit("/", shot="public-list")
    watch.visit(f"/events/{event.slug}")
    watch.visit(f"/events/{event.slug}/register", shot="registration-form")
    watch.visit(f"/events/{event.slug}/link")
    for path in ("", "/marketplace", "/meetings", "/availability", "/agenda"):
        watch.visit(f"/r/{token}{path}", shot=f"personal{path.replace('/', '-')}")
    referrer = page.request.get(f"/r/{token}").headers["referrer-policy"]
    assert referrer == "no-referrer"

    # Admin (every staff page): door, meetings, report, badge job, outbox.
    log_in(page, auth, Role.ADMIN)
    watch.check("after login")
    response = page.goto(f"/checkin/{event.id}")
    assert response.headers["permissions-policy"].startswith("camera=(self)")
    watch.check("door")
    page.get_by_label("Door", exact=True).fill("North")
    page.get_by_label("Scan a badge").focus()
    page.keyboard.type(badge)
    page.keyboard.press("Enter")
    page.locator("#result").get_by_text("Welcome, Bruno").wait_for()  # the door's JS works under the CSP
    watch.check("door after a scan")
    page.screenshot(path=str(SCREENSHOTS / "csp-door.png"), full_page=True)

    for path, shot in (
        (f"/manage/events/{event.id}", "manage-event"),
        (f"/manage/events/{event.id}/registrations/", "registrations"),
        (f"/manage/events/{event.id}/meetings", "meetings-manage"),
        (f"/manage/events/{event.id}/marketplace", "meetings-staff-marketplace"),
        (f"/manage/events/{event.id}/table-plan", "table-plan"),
        (f"/checkin/{event.id}/lists", None),
        ("/reports/", "report"),
        ("/directory/organisations/", None),
        ("/admin/outbox/", None),
    ):
        watch.visit(path, shot=shot)
    watch.visit(f"/manage/badge-jobs/{job.id}", shot="badge-job")
    assert page.locator("#badge-job [data-role=bar]").evaluate("b => b.style.width") == "0%"  # set by its JS
    watch.visit(f"/admin/outbox/{message.id}", shot="outbox-message")  # its HTML in a sandboxed frame

    # The language switch (data-autosubmit in app.js) still works.
    page.select_option("#lang-switch", "fr")
    page.wait_for_url("**lang=fr**")
    watch.check("language switch")


@pytest.mark.phone
def test_security_headers_registration_submits_under_the_csp(page, app: Flask, db):
    from tests.factories import make_event

    event = make_event(published=True, title="Creative IT info day Recife")
    watch = Watch(page)
    watch.visit(f"/events/{event.slug}/register")
    page.get_by_label("First name", exact=True).fill("Amina")
    page.get_by_label("Last name", exact=True).fill("Benali")
    page.get_by_label("E-mail", exact=True).fill("amina@atlas-solaire.example")
    page.get_by_label("Organisation", exact=True).fill("Atlas Solaire SARL")
    page.get_by_label("Country of the organisation").select_option("MA")
    page.get_by_label("Type of organisation").select_option("sme")
    page.get_by_label("Language for e-mails and documents").select_option("en")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_text("is confirmed").wait_for()
    watch.check("after registering")
