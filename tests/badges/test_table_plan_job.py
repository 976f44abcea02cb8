"""The table plan PDF as a print job: ~30 ms a meeting is minutes for a big brokerage event, so the table
plan page's button starts a job (like badges and agendas) and the PDF is downloaded from the job."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.badges import job_kinds
from move_events.badges.job_kinds import RENDERERS
from move_events.badges.jobs import PrintJobError, run_print_job, start_table_plan_job
from move_events.badges.models import BadgePrintJob, JobKind, PrintJobStatus
from move_events.meetings.models import MeetingStatus
from tests.meetings.agenda_support import agenda_event, meeting, person_at, scheduled
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
    """Slot 0: three meetings (tables 1–3); slot 1: one; slot 3: one. A request without a time and a
    declined meeting are not on the plan."""
    event = agenda_event(created_by=owner)
    people = [
        person_at(event, f"Given{n}", f"Family{n}", organisation=f"Organisation {n}") for n in range(10)
    ]
    scheduled(people[0], people[1], 0, table=1)
    scheduled(people[2], people[3], 0, table=2)
    scheduled(people[4], people[5], 0, table=3)
    scheduled(people[6], people[7], 1, table=2)
    scheduled(people[8], people[9], 3, table=1)
    meeting(people[0], people[9])
    meeting(people[1], people[8], status=MeetingStatus.DECLINED)
    return event


def _texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


def test_organiser_prints_the_table_plan_through_a_job(client, auth, db, event, monkeypatch):
    monkeypatch.setattr(job_kinds, "CHUNK_MEETINGS", 2)  # slot 0 alone (3 > 2), then slots 1 and 3
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/events/{event.id}/table-plan").get_data(as_text=True)
    assert f'action="/manage/events/{event.id}/table-plan-jobs"' in page

    response = client.post(f"/manage/events/{event.id}/table-plan-jobs")
    assert response.status_code == 302
    job = db.session.scalars(select(BadgePrintJob)).one()
    assert response.headers["Location"].endswith(f"/manage/badge-jobs/{job.id}")
    assert (job.kind, job.total, job.status) == (JobKind.TABLE_PLAN, 5, PrintJobStatus.QUEUED)
    page = client.get(f"/manage/badge-jobs/{job.id}").get_data(as_text=True)
    assert "Table plan of" in page and "0 of 5 meetings rendered" in page and "Layout:" not in page

    ids = RENDERERS[JobKind.TABLE_PLAN].select_ids(job)
    assert [len(chunk) for chunk in RENDERERS[JobKind.TABLE_PLAN].split(job, ids)] == [3, 2]

    job = run_print_job(job.id)
    assert (job.status, job.done, job.error) == (PrintJobStatus.DONE, 5, "")
    response = client.get(f"/manage/badge-jobs/{job.id}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"filename=table-plan-{event.slug}-{job.id}.pdf" in response.headers["Content-Disposition"]
    texts = _texts(response.data)
    assert len(texts) == 3  # one page a slot with meetings
    assert all(f"Given{n} Family{n}" in texts[0] for n in range(6)) and "3 of 3 tables in use" in texts[0]
    assert "Given6 Family6" in texts[1] and "Given8 Family8" in texts[2]
    assert "9:00" in texts[0] and "9:30" in texts[1] and "10:30" in texts[2]


def test_worker_processes_render_the_same_table_plan(app, db, event, owner, monkeypatch):
    """A worker process loads the job's event itself (it gets the event's id, not the ORM object)."""
    monkeypatch.setattr(job_kinds, "CHUNK_MEETINGS", 1)
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 2)
    job = start_table_plan_job(event=event, user=owner)
    db.session.commit()
    job = run_print_job(job.id)
    assert (job.status, job.done, job.error) == (PrintJobStatus.DONE, 5, "")
    texts = _texts(job.pdf)
    assert len(texts) == 3 and "Given0 Family0" in texts[0] and "Given8 Family8" in texts[2]


def test_no_meeting_on_the_plan_goes_back_with_a_message(client, auth, db, owner):
    empty = agenda_event(created_by=owner, title="Empty brokerage")
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{empty.id}/table-plan-jobs")
    assert response.headers["Location"].endswith(f"/manage/events/{empty.id}/table-plan")
    assert "No table plan to print" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(BadgePrintJob)).first() is None
    with pytest.raises(PrintJobError):
        start_table_plan_job(event=empty, user=owner)


def test_only_the_events_organisers_may_print_its_table_plan(client, auth, db, event, owner):
    url = f"/manage/events/{event.id}/table-plan-jobs"
    assert "/auth/login" in client.post(url).headers["Location"]
    job = run_print_job(_started(db, event, owner).id)
    auth.login(Role.STAFF)
    assert client.post(url).status_code == 403
    for suffix in ("", ".json", "/download"):
        assert client.get(f"/manage/badge-jobs/{job.id}{suffix}").status_code == 403
    other = create_user(email="other@example.org", password=PASSWORD, role=Role.ORGANISER, name="Other")
    db.session.commit()
    client.post("/auth/login", data={"email": other.email, "password": PASSWORD})
    assert client.post(url).status_code == 403
    assert client.get(f"/manage/badge-jobs/{job.id}/download").status_code == 403
    assert client.get(url).status_code == 405
    assert db.session.scalars(select(BadgePrintJob)).all() == [job]


def _started(db, event, owner) -> BadgePrintJob:
    job = start_table_plan_job(event=event, user=owner)
    db.session.commit()
    return job


def test_a_failed_table_plan_job_is_started_again_as_a_table_plan(
    client, auth, db, event, owner, monkeypatch
):
    def broken(meeting_ids, job):
        raise RuntimeError("out of paper")

    kind = RENDERERS[JobKind.TABLE_PLAN]
    monkeypatch.setitem(RENDERERS, JobKind.TABLE_PLAN, job_kinds.Renderer(
        select_ids=kind.select_ids, chunk_size=kind.chunk_size, render_chunk=broken, load=kind.load,
        chunks=kind.chunks,
    ))  # fmt: skip
    failed = run_print_job(_started(db, event, owner).id)
    assert (failed.status, failed.error) == (PrintJobStatus.FAILED, "out of paper")
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/badge-jobs/{failed.id}/retry")
    assert response.status_code == 302
    again = db.session.scalars(select(BadgePrintJob).where(BadgePrintJob.id != failed.id)).one()
    assert (again.kind, again.total, again.status) == (JobKind.TABLE_PLAN, 5, PrintJobStatus.QUEUED)
