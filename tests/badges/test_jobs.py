"""Background badge printing: jobs render in chunks into one PDF, with progress and a download.

These tests render chunks in the test's own process (``PRINT_JOB_PROCESSES = 1``) for speed;
test_job_runner.py proves the worker-process path gives the same badges.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.badges import job_kinds
from move_events.badges.jobs import PrintJobError, run_print_job, start_print_job, wait_for_print_jobs
from move_events.badges.models import BadgePrintJob, PrintJobStatus
from move_events.registration.models import Registration
from tests.badges.test_views import page_count
from tests.factories import make_event, register
from tests.support import PASSWORD


@pytest.fixture(autouse=True)
def in_process(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 1)


@pytest.fixture
def synchronous(app, monkeypatch):
    """Jobs stay queued when started; the test runs them with run_print_job."""
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", False)


@pytest.fixture
def owner(auth):
    return auth.user(Role.ORGANISER)


@pytest.fixture
def event(db, owner):
    """Seven confirmed registrations, two of them with a badge printed already."""
    event = make_event(published=True, capacity=20, created_by=owner)
    registrations = [register(event, family_name=f"Person {n}") for n in range(7)]
    for registration in registrations[:2]:
        registration.badge_printed_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    return event


def _job(db, event, owner, **options) -> BadgePrintJob:
    values = {"layout": "a6", "statuses": ["confirmed"], "only_unprinted": False} | options
    job = start_print_job(event=event, user=owner, **values)
    db.session.commit()
    return job


@pytest.mark.parametrize(("layout", "pages"), [("a6", 7), ("a4_quad", 2), ("name_tags", 1)])
def test_job_renders_every_badge_into_one_pdf(db, event, owner, monkeypatch, layout, pages):
    monkeypatch.setattr(job_kinds, "CHUNK_BADGES", 3)  # several chunks, merged
    job = _job(db, event, owner, layout=layout)
    assert (job.status, job.total, job.done) == (PrintJobStatus.QUEUED, 7, 0)
    job = run_print_job(job.id)
    assert (job.status, job.total, job.done, job.error) == (PrintJobStatus.DONE, 7, 7, "")
    assert job.finished_at is not None
    assert page_count(job.pdf) == pages
    printed = db.session.scalars(select(Registration.badge_printed_at)).all()
    assert all(printed)


def test_only_unprinted_skips_printed_badges_and_marks_the_new_ones(db, event, owner, monkeypatch):
    monkeypatch.setattr(job_kinds, "CHUNK_BADGES", 2)
    before = {r.id: r.badge_printed_at for r in db.session.scalars(select(Registration))}
    job = run_print_job(_job(db, event, owner, only_unprinted=True).id)
    assert (job.status, job.total, job.done) == (PrintJobStatus.DONE, 5, 5)
    assert page_count(job.pdf) == 5
    db.session.expire_all()
    for registration in db.session.scalars(select(Registration)):
        if before[registration.id] is not None:
            assert registration.badge_printed_at == before[registration.id]  # not printed again
        else:
            assert registration.badge_printed_at is not None
    with pytest.raises(PrintJobError):  # nothing left to print
        _job(db, event, owner, only_unprinted=True)


def test_job_refuses_cancelled_or_unknown_statuses_and_layouts(db, event, owner):
    for options in ({"statuses": ["cancelled"]}, {"statuses": ["nope"]}, {"layout": "a3"}, {"statuses": []}):
        with pytest.raises(PrintJobError):
            _job(db, event, owner, **options)


def test_a_failing_job_is_failed_with_the_error_and_prints_nothing(db, event, owner, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(job_kinds, "render_badges", broken)
    job = run_print_job(_job(db, event, owner).id)
    assert job.status == PrintJobStatus.FAILED and job.error == "the printer caught fire"
    assert job.pdf is None
    printed = db.session.scalars(select(Registration).where(Registration.badge_printed_at.is_not(None)))
    assert len(printed.all()) == 2


def test_organiser_starts_a_job_watches_it_and_downloads_the_pdf(client, auth, db, event, synchronous):
    auth.login(Role.ORGANISER)
    response = client.post(
        f"/manage/events/{event.id}/badge-jobs", data={"layout": "a4_quad", "only_unprinted": "1"}
    )
    assert response.status_code == 302
    job = db.session.scalars(select(BadgePrintJob)).one()
    assert response.headers["Location"].endswith(f"/manage/badge-jobs/{job.id}")
    assert (job.layout, job.statuses, job.only_unprinted, job.total) == ("a4_quad", ["confirmed"], True, 5)

    page = client.get(f"/manage/badge-jobs/{job.id}").get_data(as_text=True)
    assert 'class="progress' in page and "js/badge_job.js" in page and "0 of 5 badges rendered" in page
    progress = client.get(f"/manage/badge-jobs/{job.id}.json").get_json()
    assert progress == {
        "id": job.id, "kind": "badges", "status": "queued", "total": 5, "done": 0, "percent": 0,
        "error": None,
        "download_url": None,
    }  # fmt: skip
    assert client.get(f"/manage/badge-jobs/{job.id}/download").status_code == 404

    run_print_job(job.id)
    progress = client.get(f"/manage/badge-jobs/{job.id}.json").get_json()
    assert (progress["status"], progress["done"], progress["percent"]) == ("done", 5, 100)
    assert progress["download_url"].endswith(f"/manage/badge-jobs/{job.id}/download")
    assert "Download the PDF" in client.get(f"/manage/badge-jobs/{job.id}").get_data(as_text=True)
    response = client.get(f"/manage/badge-jobs/{job.id}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert page_count(response.data) == 2  # five badges, four on a sheet


def test_job_runs_in_a_background_thread(app, client, auth, db, event):
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/badge-jobs", data={"status": "confirmed"})
    assert response.status_code == 302
    assert wait_for_print_jobs(app, timeout=120)
    db.session.expire_all()
    job = db.session.scalars(select(BadgePrintJob)).one()
    assert (job.status, job.done) == (PrintJobStatus.DONE, 7)
    assert page_count(client.get(f"/manage/badge-jobs/{job.id}/download").data) == 7


def test_nothing_to_print_goes_back_to_the_event_with_a_message(client, auth, db, event, synchronous):
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/badge-jobs", data={"status": "waitlisted"})
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}")
    assert "No badges to print" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(BadgePrintJob)).first() is None


def test_door_staff_may_not_print_or_watch_jobs(client, auth, db, event, owner, synchronous):
    job = _job(db, event, owner)
    auth.login(Role.STAFF)
    assert client.post(f"/manage/events/{event.id}/badge-jobs").status_code == 403
    for suffix in ("", ".json", "/download"):
        assert client.get(f"/manage/badge-jobs/{job.id}{suffix}").status_code == 403


def test_an_organiser_of_another_event_may_not_print_or_watch_its_jobs(client, auth, db, event, owner):
    """Badge PDFs hold personal data: only organisers who manage the event (or admins) see its jobs."""
    job = run_print_job(_job(db, event, owner).id)
    make_event(created_by=owner)  # the other organiser's own event does not help
    other = create_user(email="other@example.org", password=PASSWORD, role=Role.ORGANISER, name="Other")
    db.session.commit()
    client.post("/auth/login", data={"email": other.email, "password": PASSWORD})
    assert client.post(f"/manage/events/{event.id}/badge-jobs").status_code == 403
    for suffix in ("", ".json", "/download"):
        assert client.get(f"/manage/badge-jobs/{job.id}{suffix}").status_code == 403
    assert db.session.scalars(select(BadgePrintJob)).all() == [job]
    auth.login(Role.ADMIN)
    assert client.get(f"/manage/badge-jobs/{job.id}/download").status_code == 200


def test_event_page_posts_badge_printing_to_a_background_job(client, auth, event):
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert f'action="/manage/events/{event.id}/badge-jobs"' in page
    assert 'name="only_unprinted"' in page
