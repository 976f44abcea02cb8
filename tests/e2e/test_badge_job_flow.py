"""Browser: an organiser prints an event's badges (or meeting agendas) in the background and downloads
the PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest

from move_events.auth.models import Role
from move_events.badges import job_kinds
from move_events.badges.job_kinds import Renderer
from move_events.badges.jobs import start_print_job
from move_events.badges.models import JobKind, PrintJobStatus
from move_events.badges.pdf import BadgeLayout, render_badges
from move_events.db_types import utcnow
from move_events.meetings.models import Meeting, MeetingStatus
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


@pytest.mark.phone
def test_organiser_prints_all_agendas_in_the_background_on_a_phone(app, page, auth, db, monkeypatch):
    """The same job page serves meeting agendas: its own title, count and file name."""
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 1)  # the stand-in renderer lives here only
    monkeypatch.setitem(
        job_kinds.RENDERERS,
        JobKind.AGENDAS,
        Renderer(
            select_ids=job_kinds.RENDERERS[JobKind.AGENDAS].select_ids,
            chunk_size=lambda job: 1,
            render_chunk=lambda registrations, job: render_badges(registrations, layout=BadgeLayout.A6),
        ),
    )  # fmt: skip  (a stand-in for meetings/agendas.py: one page per registration)
    owner = auth.user(Role.ORGANISER)
    event = make_event(published=True, capacity=20, created_by=owner)
    a, b, _c = (register(event, family_name=f"Person {n}") for n in range(3))
    slot = event.starts_at + timedelta(hours=1)
    db.session.add(Meeting(event=event, requester=a, counterpart=b, status=MeetingStatus.SCHEDULED,
                           slot_start=slot, table_no=1))  # fmt: skip
    db.session.commit()
    log_in(page, auth)
    # The button lives on the meetings pages (another package): post as its form would.
    response = page.request.post(f"/manage/events/{event.id}/agenda-jobs")
    assert response.ok and "/manage/badge-jobs/" in response.url
    page.goto(response.url)
    assert page.locator("h1").inner_text() == f"Meeting agendas of {event.title}"
    download_button = page.get_by_role("link", name="Download the PDF")
    download_button.wait_for(state="visible", timeout=60_000)
    assert "2 of 2 agendas rendered" in page.locator("[data-role=count]").inner_text()
    with page.expect_download() as info:
        download_button.click()
    assert info.value.suggested_filename.startswith(f"agendas-{event.slug}-")
    with open(info.value.path(), "rb") as pdf:
        assert page_count(pdf.read()) == 2


@pytest.mark.phone
def test_organiser_sees_why_a_job_whose_process_died_failed(app, page, auth, db, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", False)
    owner = auth.user(Role.ORGANISER)
    event = make_event(published=True, capacity=20, created_by=owner)
    register(event, family_name="Person 0")
    job = start_print_job(event=event, user=owner, layout="a6", statuses=["confirmed"], only_unprinted=False)
    job.status, job.attempts, job.done = PrintJobStatus.RUNNING, 2, 0
    job.heartbeat_at = utcnow() - timedelta(hours=1)  # its process died an hour ago
    db.session.commit()
    log_in(page, auth)
    page.goto(f"/manage/badge-jobs/{job.id}")
    alert = page.locator("[data-role=status-failed]")
    assert alert.is_visible() and "stopped without finishing" in alert.inner_text()
    assert page.get_by_role("link", name="Download the PDF").is_hidden()
    page.get_by_role("button", name="Start again").click()
    page.wait_for_url(f"**/manage/badge-jobs/{job.id + 1}")
    assert page.locator("[data-role=status-queued]").is_visible()  # queued for the worker
