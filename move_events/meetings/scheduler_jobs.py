"""The organiser's scheduler run as a background job, with progress (a 2,000-person event takes seconds).

``start_scheduler_job`` records the job (queued; at most one queued or running job per event, a second
click gets the running one); after the view commits, ``launch_scheduler_job`` runs ``run_scheduler_job``
in a thread of the web process with its own application context, as print jobs do (badges/jobs.py).
With ``SCHEDULER_JOBS_IN_THREAD = False`` jobs stay queued for a worker running
``flask --app move_events meetings run-jobs``.

The run itself is ONE transaction (scheduler_run.py): the new schedule, the participants' e-mails
(schedule_mails.py) and the job's result commit together, or not at all. Progress (phase, percent,
heartbeat) is therefore written on a connection of its own, so that the page polling it sees it while the
run's transaction is still open. On SQLite, whose writers lock the whole file, progress stops being
written once the run starts writing (the job's own transaction then holds the lock); the page shows
"writing" until the end.

A failed run (no slots, clashing locks, a concurrent booking) fails the job with the message the
organiser would have seen; nothing of it is kept. A job whose process died stops beating:
``recover_stale_scheduler_jobs`` re-queues it, or fails it after ``SCHEDULER_JOB_MAX_ATTEMPTS`` runs.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Flask, current_app, g
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from move_events.auth.models import User
from move_events.background import JobQueue
from move_events.db_types import is_transient_conflict, utcnow
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.booking import MeetingError
from move_events.meetings.models import SchedulerJob, SchedulerJobStatus, SchedulerPhase
from move_events.meetings.schedule_mails import notify_schedule_changes
from move_events.meetings.scheduler_run import RUN_AGAIN, SchedulerConflict, SchedulerRun, run_scheduler

# SCHEDULER_JOB_STALE_MINUTES (default 10): no heartbeat for this long = the process died;
# SCHEDULER_JOB_MAX_ATTEMPTS (default 2): runs before a job that keeps dying is failed.
# Where each phase starts and ends on the progress bar.
PHASES = {
    SchedulerPhase.READING: (0, 10),
    SchedulerPhase.SOLVING: (10, 70),
    SchedulerPhase.WRITING: (70, 85),
    SchedulerPhase.MAILING: (85, 100),
}
STOPPED = _l(
    "The scheduler stopped without finishing (the process running it ended) after %(attempts)s attempts."
    " Nothing was changed. Run it again; if it stops again, tell the administrator."
)
ACTIVE = (SchedulerJobStatus.QUEUED, SchedulerJobStatus.RUNNING)
QUEUE = JobQueue(
    model=SchedulerJob,
    statuses=SchedulerJobStatus,
    name="scheduler-job",
    config="SCHEDULER_JOB",
    in_thread="SCHEDULER_JOBS_IN_THREAD",
    stopped=STOPPED,
    on_claim={"phase": SchedulerPhase.READING, "percent": 0},
    on_requeue={"percent": 0},
)


def active_job(event: Event) -> SchedulerJob | None:
    return db.session.scalar(
        select(SchedulerJob).where(SchedulerJob.event_id == event.id, SchedulerJob.status.in_(ACTIVE))
    )


def start_scheduler_job(*, event: Event, user: User | None) -> tuple[SchedulerJob, bool]:
    """A queued job for ``event``, or the one already queued or running. Returns (job, created);
    flushes. Two clicks at once: the database's partial unique index lets one insert win."""
    existing = active_job(event)
    if existing is not None:
        return existing, False
    job = SchedulerJob(
        event=event,
        requested_by=user,
        locale=str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")),
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        existing = active_job(event)
        if existing is None:
            raise
        return existing, False
    return job, True


class _Reporter:
    """Writes a running job's phase, percent and heartbeat on a connection apart from the run's."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.sqlite = db.engine.dialect.name == "sqlite"
        self.stopped = False

    def __call__(self, phase: str, done: float) -> None:
        if self.stopped:
            return
        low, high = PHASES[SchedulerPhase(phase)]
        percent = int(low + (high - low) * max(0.0, min(1.0, done)))
        with db.engine.begin() as connection:
            connection.execute(
                update(SchedulerJob)
                .where(SchedulerJob.id == self.job_id)
                .values(phase=SchedulerPhase(phase), percent=percent, heartbeat_at=utcnow())
            )
        if self.sqlite and phase == SchedulerPhase.WRITING:
            self.stopped = True  # the run's transaction is about to hold SQLite's write lock


def run_scheduler_job(job_id: int) -> SchedulerJob | None:
    """Run a queued job now, in the current application context; returns it (done or failed). A job
    that is not queued (running elsewhere, finished) is returned untouched."""
    if not QUEUE.claim(job_id):
        return db.session.get(SchedulerJob, job_id)
    job = db.session.get(SchedulerJob, job_id)
    db.session.refresh(job)
    locale = job.locale
    g.scheduler_job = job_id  # flask-babel ignores force_locale while g is empty
    try:
        with force_locale(locale):
            _run(job)
    except Exception as error:
        if not isinstance(error, MeetingError) and not is_transient_conflict(error):
            current_app.logger.exception("Scheduler job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(SchedulerJob, job_id)
        job.status = SchedulerJobStatus.FAILED
        with force_locale(locale):
            if is_transient_conflict(error):  # a deadlock with a participant's booking: nothing was kept
                error = SchedulerConflict(RUN_AGAIN)
            job.error = str(error) or type(error).__name__
        job.finished_at = utcnow()
        db.session.commit()
    return job


def _run(job: SchedulerJob) -> None:
    report = _Reporter(job.id)
    run = run_scheduler(event=job.event, progress=report)
    report("mailing", 0.0)
    mails = notify_schedule_changes(
        event=job.event, changes=run.changes, progress=lambda done: report("mailing", done)
    )
    job = db.session.get(SchedulerJob, job.id)  # the run expired the session's objects
    job.result = result_json(run, mails=mails)
    job.status = SchedulerJobStatus.DONE
    job.phase, job.percent = SchedulerPhase.MAILING, 100
    job.finished_at = job.heartbeat_at = utcnow()
    db.session.commit()  # the schedule, the e-mails and the result together


def result_json(run: SchedulerRun, *, mails: int) -> dict:
    """What the result page shows, kept with the job (the reasons already in the requester's language)."""
    return {
        "stats": asdict(run.stats),
        "moved": run.moved,
        "mails": mails,
        "unplaced": [
            {
                "meeting_id": item.meeting_id,
                "requester": item.requester,
                "counterpart": item.counterpart,
                "reason": item.reason.value,
                "message": item.message,
            }
            for item in run.unplaced
        ],
    }


QUEUE.run = run_scheduler_job
recover_stale_scheduler_jobs = QUEUE.recover_stale
refresh_scheduler_job = QUEUE.refresh
run_queued_scheduler_jobs = QUEUE.run_queued
launch_scheduler_job = QUEUE.launch


def wait_for_scheduler_jobs(app: Flask, timeout: float = 60.0) -> bool:
    """Wait until the app's scheduler-job threads have finished (tests); False on timeout."""
    return QUEUE.wait(app, timeout)
