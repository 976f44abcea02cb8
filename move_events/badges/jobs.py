"""Background PDF jobs (badges, meeting agendas, the table plan): one PDF, with progress, never inside a
web request.

``start_print_job`` / ``start_agenda_job`` / ``start_table_plan_job`` record what to render (and flush);
after the view commits, ``launch_print_job`` runs ``run_print_job`` in a thread of its own with its own
application context (as the outbox delivers mail after a request). With ``BADGE_JOBS_IN_THREAD = False``
launched jobs stay queued for a separate worker, ``flask --app move_events badges run-jobs`` (cli.py), in
production.

The runner claims a queued job with one conditional UPDATE (two workers never run one job), renders
its registrations (or meetings) in chunks (in worker processes, job_kinds.py), commits the progress and
a heartbeat after each chunk (so ``/manage/badge-jobs/<id>.json`` sees it), merges the chunks into one
PDF, stores it in the job row and lets the kind finish (badges are marked printed). Any error fails the
job with its message; nothing is marked printed then. A job whose process died stops beating:
``recover_stale_jobs`` re-queues it (or fails it, with a message saying so, after
``PRINT_JOB_MAX_ATTEMPTS`` runs).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, current_app, g
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from move_events.auth.models import User
from move_events.background import JobQueue
from move_events.badges.job_kinds import (
    PrintJobError,
    agenda_query,
    badge_query,
    merge_pdfs,
    render_chunks,
    renderer,
    table_plan_ids_query,
)
from move_events.badges.models import BadgePrintJob, JobKind, PrintJobStatus
from move_events.badges.pdf import BadgeLayout
from move_events.db_types import utcnow
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import RegistrationStatus

__all__ = [
    "PrintJobError",
    "launch_print_job",
    "recover_stale_jobs",
    "retry_print_job",
    "run_print_job",
    "run_queued_jobs",
    "start_agenda_job",
    "start_print_job",
    "start_table_plan_job",
    "wait_for_print_jobs",
]

STOPPED = _l(
    "The job stopped without finishing (the process rendering it ended) after %(attempts)s attempts. "
    "Start it again; if it stops again, tell the administrator."
)
# PRINT_JOB_STALE_MINUTES (default 10): no heartbeat for this long = the process died;
# PRINT_JOB_MAX_ATTEMPTS (default 2): runs before a job that keeps dying is failed.
QUEUE = JobQueue(
    model=BadgePrintJob,
    statuses=PrintJobStatus,
    name="print-job",
    config="PRINT_JOB",
    in_thread="BADGE_JOBS_IN_THREAD",
    stopped=STOPPED,
    on_claim={"done": 0},
    on_requeue={"done": 0},
)


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _locale() -> str:
    return str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def start_print_job(
    *,
    event: Event,
    user: User | None,
    layout: BadgeLayout | str,
    statuses: Sequence[RegistrationStatus | str],
    only_unprinted: bool,
) -> BadgePrintJob:
    """Record a badge job for ``event`` (queued; launch it after committing). Flushes."""
    try:
        layout = BadgeLayout(layout)
        chosen = sorted({RegistrationStatus(status) for status in statuses})
    except ValueError as error:
        raise PrintJobError(_l("Unknown layout or registration status.")) from error
    if not chosen or any(status not in RegistrationStatus.live() for status in chosen):
        raise PrintJobError(_l("Choose confirmed, pending or waitlisted registrations."))
    total = _count(badge_query(event.id, chosen, only_unprinted=only_unprinted))
    if total == 0:
        raise PrintJobError(_l("No badges to print: no registration matches."))
    job = BadgePrintJob(
        event=event,
        requested_by=user,
        kind=JobKind.BADGES,
        layout=layout.value,
        statuses=[status.value for status in chosen],
        only_unprinted=only_unprinted,
        locale=_locale(),
        total=total,
    )
    db.session.add(job)
    db.session.flush()
    return job


def start_agenda_job(*, event: Event, user: User | None) -> BadgePrintJob:
    """Record a job rendering the agendas of everyone with a scheduled meeting in ``event``. Flushes."""
    return _start_event_job(
        event, user, JobKind.AGENDAS, agenda_query(event.id),
        _l("No agendas to print: nobody has a scheduled meeting yet."),
    )  # fmt: skip


def start_table_plan_job(*, event: Event, user: User | None) -> BadgePrintJob:
    """Record a job rendering the event's table plan (progress counts its meetings). Flushes."""
    return _start_event_job(
        event, user, JobKind.TABLE_PLAN, table_plan_ids_query(event.id),
        _l("No table plan to print: no meeting has a time and a table yet."),
    )  # fmt: skip


def _start_event_job(event: Event, user: User | None, kind: JobKind, query, nothing: object) -> BadgePrintJob:
    """A job of ``kind`` over what ``query`` selects for the whole event; ``nothing`` when it is empty."""
    total = _count(query)
    if total == 0:
        raise PrintJobError(nothing)
    job = BadgePrintJob(event=event, requested_by=user, kind=kind, layout="", locale=_locale(), total=total)
    db.session.add(job)
    db.session.flush()
    return job


def retry_print_job(*, job: BadgePrintJob, user: User | None) -> BadgePrintJob:
    """A new job with a failed job's kind and choices (the failed one keeps its error). Flushes."""
    if job.status != PrintJobStatus.FAILED:
        raise PrintJobError(_l("Only a failed job can be started again."))
    if job.kind == JobKind.AGENDAS:
        return start_agenda_job(event=job.event, user=user)
    if job.kind == JobKind.TABLE_PLAN:
        return start_table_plan_job(event=job.event, user=user)
    return start_print_job(
        event=job.event,
        user=user,
        layout=job.layout,
        statuses=job.statuses,
        only_unprinted=job.only_unprinted,
    )


def run_print_job(job_id: int) -> BadgePrintJob | None:
    """Render a queued job now, in the current application context; returns the job (done or failed).

    A job that is not queued (running elsewhere, finished) is returned as it is, untouched.
    """
    if not QUEUE.claim(job_id):
        return db.session.get(BadgePrintJob, job_id)
    job = db.session.get(BadgePrintJob, job_id)
    db.session.refresh(job)
    locale = job.locale
    g.print_job = job_id  # flask-babel ignores force_locale while g is empty
    try:
        with force_locale(locale):
            _render(job)
    except Exception as error:
        current_app.logger.exception("Print job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(BadgePrintJob, job_id)
        job.status = PrintJobStatus.FAILED
        with force_locale(locale):  # the requester's language, like the PDF's
            job.error = str(error) or type(error).__name__
        job.finished_at = utcnow()
        db.session.commit()
    return job


def _render(job: BadgePrintJob) -> None:
    kind = renderer(job.kind)
    ids = kind.select_ids(job)
    if not ids:
        raise PrintJobError(_l("Nothing to print: no registration matches any more."))
    job.total, job.done = len(ids), 0
    db.session.commit()
    chunks = kind.split(job, ids)
    pdfs: dict[int, bytes] = {}
    for index, pdf in render_chunks(job, chunks):
        pdfs[index] = pdf
        job.done += len(chunks[index])
        job.heartbeat_at = utcnow()
        db.session.commit()  # the progress bar polls this
    merged = merge_pdfs([pdfs[index] for index in range(len(chunks))])
    kind.finish(job, ids)
    job.pdf = merged
    job.status = PrintJobStatus.DONE
    job.finished_at = job.heartbeat_at = utcnow()
    db.session.commit()


QUEUE.run = run_print_job
recover_stale_jobs = QUEUE.recover_stale
refresh_job = QUEUE.refresh
run_queued_jobs = QUEUE.run_queued
launch_print_job = QUEUE.launch


def wait_for_print_jobs(app: Flask, timeout: float = 60.0) -> bool:
    """Wait until the app's print-job threads have finished (tests); False on timeout."""
    return QUEUE.wait(app, timeout)
