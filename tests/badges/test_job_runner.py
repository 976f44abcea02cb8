"""The print-job runner: worker processes, merge order, jobs whose process died, the CLI worker, and
job kinds other than badges (meeting agendas)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import weasyprint
import zxingcpp
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.badges import job_kinds
from move_events.badges.job_kinds import Renderer, badge_query
from move_events.badges.jobs import (
    recover_stale_jobs,
    run_print_job,
    start_agenda_job,
    start_print_job,
    wait_for_print_jobs,
)
from move_events.badges.models import BadgePrintJob, JobKind, PrintJobStatus
from move_events.badges.tokens import make_badge_token
from move_events.db_types import utcnow
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.registration.models import Registration
from tests.factories import make_event, register
from tests.support import PASSWORD


@pytest.fixture(autouse=True)
def in_process(app, monkeypatch):
    """Chunks render in the test's process unless a test asks for workers; jobs wait to be run."""
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 1)
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", False)


@pytest.fixture
def owner(auth):
    return auth.user(Role.ORGANISER)


@pytest.fixture
def event(db, owner):
    """Seven confirmed registrations, names given out of alphabetical order."""
    event = make_event(published=True, capacity=20, created_by=owner)
    for n in (4, 1, 6, 0, 3, 5, 2):
        register(event, family_name=f"Person {n}")
    return event


def _badge_job(db, event, owner) -> BadgePrintJob:
    job = start_print_job(event=event, user=owner, layout="a6", statuses=["confirmed"], only_unprinted=False)
    db.session.commit()
    return job


def _expected_tokens(db, event) -> list[str]:
    """The tokens in the job's order: family name, then given name."""
    registrations = db.session.scalars(badge_query(event.id, ["confirmed"], only_unprinted=False))
    return [make_badge_token(registration) for registration in registrations]


def _tokens_page_by_page(pdf: bytes) -> list[str]:
    """Each page's QR code, decoded with a real decoder, in page order."""
    document = pdfium.PdfDocument(pdf)
    try:
        tokens = []
        for index in range(len(document)):
            image = document[index].render(scale=2).to_pil()
            tokens += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
        return tokens
    finally:
        document.close()


def _texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def test_worker_processes_render_the_same_badges_in_the_jobs_order(app, db, event, owner, monkeypatch):
    monkeypatch.setattr(job_kinds, "CHUNK_BADGES", 2)  # four chunks for two worker processes
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 2)
    parallel = run_print_job(_badge_job(db, event, owner).id)
    assert (parallel.status, parallel.done, parallel.error) == (PrintJobStatus.DONE, 7, "")

    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 1)
    in_process = run_print_job(_badge_job(db, event, owner).id)
    assert in_process.status == PrintJobStatus.DONE

    expected = _expected_tokens(db, event)
    assert len(set(expected)) == 7
    assert _tokens_page_by_page(parallel.pdf) == expected
    assert _tokens_page_by_page(in_process.pdf) == expected


def test_chunks_are_merged_in_the_jobs_order_whatever_order_they_finish_in(db, event, owner, monkeypatch):
    monkeypatch.setattr(job_kinds, "CHUNK_BADGES", 3)
    original = job_kinds.render_chunks

    def last_first(job, chunks):
        yield from reversed(list(original(job, chunks)))  # as if the last worker finished first

    monkeypatch.setattr(job_kinds, "render_chunks", last_first)
    job = run_print_job(_badge_job(db, event, owner).id)
    assert job.status == PrintJobStatus.DONE
    assert _tokens_page_by_page(job.pdf) == _expected_tokens(db, event)
    texts = _texts(job.pdf)
    assert [int(text.split("Person ")[1][0]) for text in texts] == list(range(7))


def test_progress_and_heartbeat_are_committed_after_every_chunk(db, event, owner, monkeypatch):
    monkeypatch.setattr(job_kinds, "CHUNK_BADGES", 3)
    seen = []
    original = job_kinds.render_chunk

    def watching(job, ids):
        seen.append((job.done, job.heartbeat_at))
        return original(job, ids)

    monkeypatch.setattr(job_kinds, "render_chunk", watching)
    job = run_print_job(_badge_job(db, event, owner).id)
    assert [done for done, _ in seen] == [0, 3, 6]
    beats = [beat for _, beat in seen]
    assert all(beats) and beats == sorted(beats)
    assert (job.attempts, job.done) == (1, 7) and job.heartbeat_at >= beats[-1]


def test_a_job_is_run_once_even_when_two_runners_try(db, event, owner):
    job = _badge_job(db, event, owner)
    assert run_print_job(job.id).status == PrintJobStatus.DONE
    again = run_print_job(job.id)  # the second runner finds it done and leaves it alone
    assert (again.status, again.attempts) == (PrintJobStatus.DONE, 1)


def _crashed(db, job: BadgePrintJob, *, minutes: int, attempts: int = 1) -> BadgePrintJob:
    """The job as a runner leaves it when its process dies mid-way: running, no more heartbeats."""
    job.status, job.done, job.attempts = PrintJobStatus.RUNNING, 3, attempts
    job.started_at = job.heartbeat_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()
    return job


def test_a_job_whose_process_died_is_queued_again_and_then_finishes(app, db, event, owner):
    stale = _crashed(db, _badge_job(db, event, owner), minutes=30)
    alive = _crashed(db, _badge_job(db, event, owner), minutes=2)  # slow, not dead
    assert recover_stale_jobs() == [stale]
    assert (stale.status, stale.done, stale.error) == (PrintJobStatus.QUEUED, 0, "")
    assert alive.status == PrintJobStatus.RUNNING
    job = run_print_job(stale.id)
    assert (job.status, job.done, job.attempts) == (PrintJobStatus.DONE, 7, 2)


def test_the_job_page_restarts_a_dead_job_in_thread_mode(app, client, auth, db, event, owner, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", True)
    job = _crashed(db, _badge_job(db, event, owner), minutes=30)
    auth.login(Role.ORGANISER)
    assert client.get(f"/manage/badge-jobs/{job.id}.json").get_json()["status"] in ("queued", "running")
    assert wait_for_print_jobs(app, timeout=120)
    progress = client.get(f"/manage/badge-jobs/{job.id}.json").get_json()
    assert (progress["status"], progress["done"]) == ("done", 7)


def test_the_job_page_starts_a_job_left_queued_by_a_dead_thread(
    app, client, auth, db, event, owner, monkeypatch
):
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", True)
    fresh = _badge_job(db, event, owner)
    old = _badge_job(db, event, owner)
    old.created_at = utcnow() - timedelta(minutes=30)  # queued, then the server restarted
    db.session.commit()
    auth.login(Role.ORGANISER)
    client.get(f"/manage/badge-jobs/{fresh.id}.json")  # young: its own thread is about to claim it
    assert wait_for_print_jobs(app, timeout=120)
    assert client.get(f"/manage/badge-jobs/{fresh.id}.json").get_json()["status"] == "queued"
    client.get(f"/manage/badge-jobs/{old.id}")
    assert wait_for_print_jobs(app, timeout=120)
    assert client.get(f"/manage/badge-jobs/{old.id}.json").get_json()["status"] == "done"


def test_a_job_that_keeps_dying_fails_with_a_clear_message_on_its_page(client, auth, db, event, owner):
    job = _crashed(db, _badge_job(db, event, owner), minutes=30, attempts=2)
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/badge-jobs/{job.id}").get_data(as_text=True)
    assert "stopped without finishing" in page and "after 2 attempts" in page
    progress = client.get(f"/manage/badge-jobs/{job.id}.json").get_json()
    assert progress["status"] == "failed" and "stopped without finishing" in progress["error"]
    assert client.get(f"/manage/badge-jobs/{job.id}/download").status_code == 404


def test_a_failed_job_is_started_again_with_the_same_choices(client, auth, db, event, owner, monkeypatch):
    job = start_print_job(
        event=event, user=owner, layout="name_tags", statuses=["confirmed"], only_unprinted=True
    )
    db.session.commit()
    monkeypatch.setattr(job_kinds, "render_badges", lambda *args, **kwargs: 1 / 0)
    failed_id = run_print_job(job.id).id
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/badge-jobs/{failed_id}").get_data(as_text=True)
    assert "division by zero" in page and f'action="/manage/badge-jobs/{failed_id}/retry"' in page

    response = client.post(f"/manage/badge-jobs/{failed_id}/retry")
    again = db.session.scalars(select(BadgePrintJob).where(BadgePrintJob.id != failed_id)).one()
    assert response.headers["Location"].endswith(f"/manage/badge-jobs/{again.id}")
    assert (again.kind, again.layout, again.statuses, again.only_unprinted, again.status) == (
        JobKind.BADGES, "name_tags", ["confirmed"], True, PrintJobStatus.QUEUED
    )  # fmt: skip
    assert db.session.get(BadgePrintJob, failed_id).error == "division by zero"  # kept

    response = client.post(f"/manage/badge-jobs/{again.id}/retry")  # not failed: refused
    assert response.headers["Location"].endswith(f"/manage/badge-jobs/{again.id}")
    assert "Only a failed job" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(db.session.scalars(select(BadgePrintJob)).all()) == 2


def test_only_the_events_organisers_may_start_a_job_again(client, auth, db, event, owner, monkeypatch):
    monkeypatch.setattr(job_kinds, "render_badges", lambda *args, **kwargs: 1 / 0)
    failed_id = run_print_job(_badge_job(db, event, owner).id).id
    auth.login(Role.STAFF)
    assert client.post(f"/manage/badge-jobs/{failed_id}/retry").status_code == 403
    other = create_user(email="other@example.org", password=PASSWORD, role=Role.ORGANISER, name="Other")
    db.session.commit()
    client.post("/auth/login", data={"email": other.email, "password": PASSWORD})
    assert client.post(f"/manage/badge-jobs/{failed_id}/retry").status_code == 403
    assert len(db.session.scalars(select(BadgePrintJob)).all()) == 1


def test_cli_once_runs_the_queued_jobs_and_recovers_dead_ones(runner, db, event, owner):
    event_id, queued = event.id, _badge_job(db, event, owner).id
    dead = _crashed(db, _badge_job(db, event, owner), minutes=30).id
    result = runner.invoke(args=["badges", "run-jobs", "--once"])
    assert result.exit_code == 0, result.output
    assert f"Job {queued} (badges, event {event_id}) done: 7 of 7." in result.output
    assert f"Job {dead} (badges, event {event_id}) done: 7 of 7." in result.output
    db.session.expire_all()
    assert {job.status for job in db.session.scalars(select(BadgePrintJob))} == {PrintJobStatus.DONE}
    assert "No queued jobs." in runner.invoke(args=["badges", "run-jobs", "--once"]).output


@pytest.mark.real_clock  # sleeps or socket timeouts: libfaketime breaks those (see .ci/run)
def test_cli_worker_loop_reports_failures(runner, db, event, owner, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("out of toner")

    monkeypatch.setattr(job_kinds, "render_badges", broken)
    event_id, job_id = event.id, _badge_job(db, event, owner).id
    result = runner.invoke(args=["badges", "run-jobs", "--interval", "0", "--max-loops", "2"])
    assert result.exit_code == 0, result.output
    assert "looking for jobs every 0 s" in result.output
    assert f"Job {job_id} (badges, event {event_id}) failed: out of toner" in result.output
    assert db.session.get(BadgePrintJob, job_id).error == "out of toner"


# --- agendas: a second kind of job ----------------------------------------------------------------------


@pytest.fixture
def meetings(db, event):
    """Person 0 meets Person 1 (scheduled) and Person 2 (completed); Person 3 only has a request, Person 4
    a cancelled meeting: three registrations have an agenda to print."""
    people = {r.person.family_name: r for r in db.session.scalars(select(Registration))}
    start = event.starts_at + timedelta(hours=1)
    rows = [
        ("Person 0", "Person 1", MeetingStatus.SCHEDULED, start, 1),
        ("Person 2", "Person 0", MeetingStatus.COMPLETED, start + timedelta(minutes=30), 1),
        ("Person 3", "Person 5", MeetingStatus.REQUESTED, None, None),
        ("Person 4", "Person 6", MeetingStatus.CANCELLED, start, 2),
    ]
    for requester, counterpart, status, slot, table in rows:
        db.session.add(
            Meeting(
                event_id=event.id,
                requester_id=people[requester].id,
                counterpart_id=people[counterpart].id,
                status=status,
                slot_start=slot,
                table_no=table,
            )
        )
    db.session.commit()
    return people


def _stub_agenda(registrations, job) -> bytes:
    """A page per registration with the name on it: stands in for meetings/agendas.py."""
    pages = "".join(
        f'<p style="page-break-after: always">Agenda of {r.person.family_name}</p>' for r in registrations
    )
    return weasyprint.HTML(string=f"<html><body>{pages}</body></html>").write_pdf()


@pytest.fixture
def stub_agendas(monkeypatch):
    calls = []

    def render(registrations, job):
        calls.append([r.person.family_name for r in registrations])
        return _stub_agenda(registrations, job)

    kind = job_kinds.RENDERERS[JobKind.AGENDAS]
    monkeypatch.setitem(job_kinds.RENDERERS, JobKind.AGENDAS, Renderer(
        select_ids=kind.select_ids, chunk_size=lambda job: 2, render_chunk=render
    ))  # fmt: skip
    return calls


def test_organiser_prints_every_agenda_as_one_pdf(client, auth, db, event, meetings, stub_agendas):
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/agenda-jobs")
    assert response.status_code == 302
    job = db.session.scalars(select(BadgePrintJob)).one()
    assert response.headers["Location"].endswith(f"/manage/badge-jobs/{job.id}")
    assert (job.kind, job.total, job.status) == (JobKind.AGENDAS, 3, PrintJobStatus.QUEUED)
    page = client.get(f"/manage/badge-jobs/{job.id}").get_data(as_text=True)
    assert "Meeting agendas of" in page and "0 of 3 agendas rendered" in page and "Layout:" not in page

    job = run_print_job(job.id)
    assert (job.status, job.done, job.error) == (PrintJobStatus.DONE, 3, "")
    assert stub_agendas == [["Person 0", "Person 1"], ["Person 2"]]  # chunks of two, by name
    response = client.get(f"/manage/badge-jobs/{job.id}/download")
    assert response.status_code == 200
    assert f"filename=agendas-{event.slug}-{job.id}.pdf" in response.headers["Content-Disposition"]
    texts = _texts(response.data)
    assert [text.strip() for text in texts] == [f"Agenda of Person {n}" for n in range(3)]
    printed = db.session.scalars(select(Registration).where(Registration.badge_printed_at.is_not(None)))
    assert printed.all() == []  # agendas are not badges


def test_agenda_job_with_nobody_scheduled_goes_back_with_a_message(client, auth, db, event):
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/agenda-jobs")
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}")
    assert "nobody has a scheduled meeting yet" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.scalars(select(BadgePrintJob)).first() is None


def test_only_the_events_organisers_may_print_its_agendas(client, auth, db, event, meetings):
    url = f"/manage/events/{event.id}/agenda-jobs"
    assert client.post(url).status_code == 302 and "/auth/login" in client.post(url).headers["Location"]
    auth.login(Role.STAFF)
    assert client.post(url).status_code == 403
    other = create_user(email="other@example.org", password=PASSWORD, role=Role.ORGANISER, name="Other")
    db.session.commit()
    client.post("/auth/login", data={"email": other.email, "password": PASSWORD})
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert db.session.scalars(select(BadgePrintJob)).first() is None


def test_a_kind_without_a_renderer_fails_with_its_message(db, event, owner, meetings, monkeypatch):
    monkeypatch.delitem(job_kinds.RENDERERS, JobKind.AGENDAS)
    job = start_agenda_job(event=event, user=owner)
    db.session.commit()
    job = run_print_job(job.id)
    assert job.status == PrintJobStatus.FAILED
    assert job.error == "This kind of job cannot be rendered here."


def test_agenda_job_renders_the_meetings_agendas(app, db, event, owner, meetings):
    """The real renderer (meetings/agendas.py): every agenda, each person's name in it."""
    if not (Path(app.template_folder) / "pdf" / "agenda.html").exists():
        pytest.skip("meetings/agendas.py's template pdf/agenda.html is not written yet")
    job = start_agenda_job(event=event, user=owner)
    db.session.commit()
    job = run_print_job(job.id)
    assert (job.status, job.done, job.error) == (PrintJobStatus.DONE, 3, "")
    text = "\n".join(_texts(job.pdf))
    assert len(_texts(job.pdf)) >= 3
    for name in ("Person 0", "Person 1", "Person 2"):
        assert name in text
    assert "Person 3" not in text and "Person 4" not in text


def test_process_count_follows_the_setting_and_stays_in_process_for_in_memory_sqlite(app, monkeypatch):
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", None)
    assert job_kinds.process_count(app) == min(2, os.cpu_count() or 1)
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 3)
    assert job_kinds.process_count(app) == 3
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    assert job_kinds.process_count(app) == 1
