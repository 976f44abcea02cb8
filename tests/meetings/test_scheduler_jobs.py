"""The scheduler run as a background job: start (one per event), progress page, result, failures,
jobs whose process died, and the CLI worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from move_events.auth.models import Role
from move_events.db_types import utcnow
from move_events.meetings import scheduler_run
from move_events.meetings.models import (
    Meeting,
    MeetingStatus,
    SchedulerJob,
    SchedulerJobStatus,
    SchedulerPhase,
)
from move_events.meetings.scheduler_jobs import (
    recover_stale_scheduler_jobs,
    run_scheduler_job,
    start_scheduler_job,
    wait_for_scheduler_jobs,
)
from move_events.outbox.models import OutboxMessage
from tests.meetings.planning_support import brokerage, meeting_between, person_at


@pytest.fixture(autouse=True)
def queued(app, monkeypatch):
    """Started jobs wait to be run by the test (a test that wants the thread turns it back on)."""
    monkeypatch.setitem(app.config, "SCHEDULER_JOBS_IN_THREAD", False)


@pytest.fixture
def organiser(auth):
    return auth.login(Role.ORGANISER)


def _url(event, suffix=""):
    return f"/manage/events/{event.id}/meetings/schedule{suffix}"


def _jobs(db) -> list[SchedulerJob]:
    return db.session.scalars(select(SchedulerJob).order_by(SchedulerJob.id)).all()


def test_the_button_starts_a_job_whose_page_shows_progress_then_the_result(
    app, client, organiser, db, monkeypatch
):
    monkeypatch.setitem(app.config, "SCHEDULER_JOBS_IN_THREAD", True)
    event = brokerage(created_by=organiser, slots=1, tables=5)
    a, b, c = person_at(event, "Amina"), person_at(event, "Bruno"), person_at(event, "Chen")
    meetings = [meeting_between(a, b), meeting_between(a, c)]  # Amina can have only one of them
    response = client.post(_url(event), data={"confirm": "y"})
    assert response.status_code == 302
    assert wait_for_scheduler_jobs(app, timeout=120)
    (job,) = _jobs(db)
    assert response.headers["Location"].endswith(_url(event, f"/{job.id}"))
    assert job.status == SchedulerJobStatus.DONE and job.percent == 100 and job.attempts == 1
    progress = client.get(_url(event, f"/{job.id}.json")).get_json()
    assert progress["status"] == "done" and progress["percent"] == 100
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-stat="placed">1<' in page
    statuses = [db.session.get(Meeting, m.id).status for m in meetings]
    assert sorted(statuses) == [MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED]
    blocked = meetings[statuses.index(MeetingStatus.ACCEPTED)]
    assert f'data-unplaced="{blocked.id}" data-reason="no_common_free_slot"' in page
    assert "Amina" in page and "no time free of other meetings" in page
    assert "2 participants were sent their new agenda" in page


def test_a_queued_job_shows_a_progress_page_that_refreshes_without_inline_code(client, organiser, db):
    event = brokerage(created_by=organiser)
    meeting_between(person_at(event), person_at(event))
    location = client.post(_url(event), data={"confirm": "y"}).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "Running the scheduler" in page and 'data-status="queued"' in page
    assert "js/scheduler_job.js" in page and 'http-equiv="refresh"' in page
    assert "<script>" not in page and "style=" not in page
    assert 'data-phase="solving"' in page and 'data-phase="mailing"' in page


def test_a_second_click_shows_the_job_already_running(client, organiser, db):
    event = brokerage(created_by=organiser)
    meeting_between(person_at(event), person_at(event))
    first = client.post(_url(event), data={"confirm": "y"})
    second = client.post(_url(event), data={"confirm": "y"}, follow_redirects=True)
    assert "already running for this event" in second.get_data(as_text=True)
    assert len(_jobs(db)) == 1 and second.request.path == first.headers["Location"]
    run_scheduler_job(_jobs(db)[0].id)
    third = client.post(_url(event), data={"confirm": "y"})  # finished: a new run may start
    assert third.headers["Location"] != first.headers["Location"] and len(_jobs(db)) == 2


def test_the_database_allows_one_active_job_per_event(db, organiser):
    event = brokerage(created_by=organiser)
    job, created = start_scheduler_job(event=event, user=organiser)
    db.session.commit()
    db.session.add(SchedulerJob(event=event, requested_by=organiser))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    again, created_again = start_scheduler_job(event=event, user=organiser)
    assert created and not created_again and again.id == job.id


def test_a_failed_run_fails_the_job_with_the_reason_and_offers_to_run_again(client, organiser, db):
    event = brokerage(created_by=organiser)
    meeting_between(person_at(event), person_at(event))
    event.has_meetings = False  # no meeting slots
    db.session.commit()
    location = client.post(_url(event), data={"confirm": "y"}).headers["Location"]
    job = run_scheduler_job(_jobs(db)[0].id)
    assert job.status == SchedulerJobStatus.FAILED and "no meeting slots" in job.error
    page = client.get(location).get_data(as_text=True)
    assert "nothing was changed" in page and "no meeting slots" in page
    assert "Run the scheduler again" in page
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_job_whose_process_died_is_queued_again_then_failed(app, db, organiser):
    event = brokerage(created_by=organiser)
    job, _ = start_scheduler_job(event=event, user=organiser)
    long_ago = utcnow() - timedelta(hours=1)
    job.status, job.attempts, job.heartbeat_at = SchedulerJobStatus.RUNNING, 1, long_ago
    db.session.commit()
    assert recover_stale_scheduler_jobs() == [job]
    assert job.status == SchedulerJobStatus.QUEUED
    job.status, job.attempts, job.heartbeat_at = SchedulerJobStatus.RUNNING, 2, long_ago
    db.session.commit()
    recover_stale_scheduler_jobs()
    assert job.status == SchedulerJobStatus.FAILED and "stopped without finishing" in job.error
    fresh, _ = start_scheduler_job(event=event, user=organiser)  # the event is free again
    assert fresh.id != job.id


def test_other_organisers_see_neither_the_job_nor_its_progress(client, auth, db, organiser):
    event = brokerage(created_by=organiser)
    location = client.post(_url(event), data={"confirm": "y"}).headers["Location"]
    auth.logout()
    auth.login(Role.STAFF)
    assert client.get(location).status_code == 403
    other = brokerage(created_by=organiser)
    auth.logout()
    auth.login(Role.ORGANISER)
    job_id = _jobs(db)[0].id
    assert client.get(_url(other, f"/{job_id}")).status_code == 404  # not this event's job


def test_cli_runs_the_queued_jobs(runner, db, organiser):
    event = brokerage(created_by=organiser)
    meeting_id = meeting_between(person_at(event), person_at(event)).id
    start_scheduler_job(event=event, user=organiser)
    db.session.commit()
    result = runner.invoke(args=["meetings", "run-jobs", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": done") == 1, result.output
    assert "No queued jobs." in runner.invoke(args=["meetings", "run-jobs", "--once"]).output
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id).status == MeetingStatus.SCHEDULED


def test_progress_is_visible_while_the_run_is_still_open(app, db, organiser, monkeypatch):
    """The run is one transaction: its phase must be written apart from it, or the page would see
    nothing until the end."""
    event = brokerage(created_by=organiser)
    meeting_between(person_at(event), person_at(event))
    job, _ = start_scheduler_job(event=event, user=organiser)
    db.session.commit()
    seen = []
    real_build = scheduler_run.build_schedule

    def build_and_look(*args, **kwargs):
        with db.engine.connect() as other:  # what the progress page would read now
            seen.append(other.execute(select(SchedulerJob.phase).where(SchedulerJob.id == job.id)).scalar())
        return real_build(*args, **kwargs)

    monkeypatch.setattr(scheduler_run, "build_schedule", build_and_look)
    assert run_scheduler_job(job.id).status == SchedulerJobStatus.DONE
    assert seen == [SchedulerPhase.SOLVING]


@pytest.mark.real_clock  # sleeps or socket timeouts: libfaketime breaks those (see .ci/run)
def test_cli_worker_loop_keeps_looking(runner, db, organiser):
    event = brokerage(created_by=organiser)
    meeting_id = meeting_between(person_at(event), person_at(event)).id
    start_scheduler_job(event=event, user=organiser)
    db.session.commit()
    result = runner.invoke(args=["meetings", "run-jobs", "--interval", "0", "--max-loops", "2"])
    assert result.exit_code == 0, result.output
    assert "looking for jobs every 0 s" in result.output
    assert result.output.count(": done") == 1  # the second look finds nothing left to run
    db.session.expire_all()
    assert db.session.get(Meeting, meeting_id).status == MeetingStatus.SCHEDULED
