"""What the app's background jobs share: their life in the database, threads in the web process, and
the worker command's loop.

Two kinds of jobs run in the background, print jobs (``badges/jobs.py``) and scheduler runs
(``meetings/scheduler_jobs.py``). Each runs either

- in a thread of the web process that queued it (``JobThreads``; the default, fine for one server), or
- in a worker of its own (``flask --app move_events badges run-jobs`` / ``meetings run-jobs``, with
  ``*_IN_THREAD = False``), whose loop is ``worker_loop``.

``JobQueue`` is the life both share: claim a queued job (one runner wins), recover jobs whose process
died, show a job (recovering or restarting it first), run what is queued, launch and wait for threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import click
from flask import Flask, current_app, g
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError

from move_events.db_types import utcnow
from move_events.extensions import db


class JobThreads:
    """One kind of job's threads in an application, so that tests and shutdown can wait for them.

    ``run(job_id)`` runs a committed job and records its own failures on the job; an exception that
    still escapes (the database itself failing) is logged.
    """

    def __init__(self, app: Flask, name: str, run: Callable[[int], object]) -> None:
        self.app, self.name, self._run_job = app, name, run
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def start(self, job_id: int) -> None:
        thread = threading.Thread(target=self._run, args=(job_id,), name=f"{self.name}-{job_id}", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def _run(self, job_id: int) -> None:
        try:
            with self.app.app_context():
                self._run_job(job_id)
        except Exception:
            self.app.logger.exception("Background job %s-%s could not run", self.name, job_id)
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def wait(self, timeout: float) -> bool:
        """Wait until every thread has finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)


_LOCK = threading.Lock()


def job_threads(app: Flask, name: str, run: Callable[[int], object]) -> JobThreads:
    """The application's ``JobThreads`` for the kind of job called ``name`` (made on first use)."""
    with _LOCK:
        return app.extensions.setdefault(f"{name}s", JobThreads(app, name, run))


def wait_for_job_threads(app: Flask, name: str, timeout: float) -> bool:
    threads = app.extensions.get(f"{name}s")
    return threads.wait(timeout) if threads else True


@dataclass
class JobQueue:
    """One kind of background job kept in the database: ``model`` has ``status`` (``statuses``: QUEUED,
    RUNNING, DONE, FAILED), ``attempts``, ``created_at``, ``started_at``, ``heartbeat_at``,
    ``finished_at``, ``error`` and ``locale``. ``config`` prefixes its settings (``<config>_STALE_MINUTES``,
    ``<config>_MAX_ATTEMPTS``), ``in_thread`` names the setting that runs it in the web process. The job
    module sets ``run`` (runs one job by id, in an application context) once it is defined."""

    model: type
    statuses: Any
    name: str  # of its threads
    config: str
    in_thread: str
    stopped: Any  # the (lazy) message of a job that kept dying; %(attempts)s
    on_claim: Mapping[str, object] = field(default_factory=dict)  # columns reset when a run starts ...
    on_requeue: Mapping[str, object] = field(default_factory=dict)  # ... and when a dead one is queued
    stale_minutes: int = 10  # defaults of the two settings
    max_attempts: int = 2
    run: Callable[[int], object] | None = None

    def claim(self, job_id: int) -> bool:
        """Queued → running in one conditional UPDATE: of two runners, exactly one gets the job."""
        now, model = utcnow(), self.model
        claimed = db.session.execute(
            update(model)
            .where(model.id == job_id, model.status == self.statuses.QUEUED)
            .values(
                status=self.statuses.RUNNING,
                started_at=now,
                heartbeat_at=now,
                attempts=model.attempts + 1,
                **self.on_claim,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        return claimed == 1

    def _stale_minutes(self) -> int:
        return current_app.config.get(f"{self.config}_STALE_MINUTES", self.stale_minutes)

    def recover_stale(self, now: datetime | None = None) -> list:
        """Running jobs with no heartbeat for the stale time: their process died (a crash, a restart, a
        killed worker), since a live runner beats as it goes. Each goes back to the queue, or, once
        tried the most times allowed, fails with ``stopped``, so that the organiser sees why rather than
        a bar that never moves. Commits; returns the jobs changed."""
        now, model = now or utcnow(), self.model
        limit = now - timedelta(minutes=self._stale_minutes())
        stale = db.session.scalars(
            select(model).where(
                model.status == self.statuses.RUNNING,
                func.coalesce(model.heartbeat_at, model.created_at) < limit,
            )
        ).all()
        for job in stale:
            if job.attempts >= current_app.config.get(f"{self.config}_MAX_ATTEMPTS", self.max_attempts):
                job.status, job.finished_at = self.statuses.FAILED, now
                g.background_job = job.id  # flask-babel ignores force_locale while g is empty
                with force_locale(job.locale):
                    job.error = str(self.stopped % {"attempts": job.attempts})
            else:
                job.status, job.heartbeat_at = self.statuses.QUEUED, now
                for column, value in self.on_requeue.items():
                    setattr(job, column, value)
        db.session.commit()
        return list(stale)

    def refresh(self, job):
        """Before showing a job: recover it if it went stale, and in thread mode start it again when it
        is queued and nothing has touched it for the stale time (its thread died with its process)."""
        if job.status not in (self.statuses.QUEUED, self.statuses.RUNNING):
            return job
        self.recover_stale()
        db.session.refresh(job)
        if job.status == self.statuses.QUEUED and current_app.config.get(self.in_thread, True):
            last = job.heartbeat_at or job.created_at
            if last < utcnow() - timedelta(minutes=self._stale_minutes()) or job.attempts:
                self.launch(job)
        return job

    def run_queued(self, *, limit: int | None = None) -> list:
        """Recover stale jobs, then run queued ones, oldest first, until none is left (or ``limit``)."""
        self.recover_stale()
        finished: list = []
        model = self.model
        while limit is None or len(finished) < limit:
            job_id = db.session.scalar(
                select(model.id)
                .where(model.status == self.statuses.QUEUED)
                .order_by(model.created_at, model.id)
                .limit(1)
            )
            if job_id is None:
                break
            job = self.run(job_id)
            if job is not None and job.status in (self.statuses.DONE, self.statuses.FAILED):
                finished.append(job)
        return finished

    def launch(self, job) -> None:
        """Run a committed job in a thread of the web process (unless ``in_thread`` is off)."""
        app = current_app._get_current_object()
        if app.config.get(self.in_thread, True):
            job_threads(app, self.name, self.run).start(job.id)

    def wait(self, app: Flask, timeout: float) -> bool:
        """Wait until the app's threads of this kind have finished (tests); False on timeout."""
        return wait_for_job_threads(app, self.name, timeout)


def worker_loop(
    run_queued: Callable[[], list[str]], *, title: str, once: bool, interval: float, max_loops: int | None
) -> None:
    """The worker command: ``run_queued()`` runs what is queued and says a line per finished job.

    Without ``once`` it looks again every ``interval`` seconds until Ctrl-C. A database error is printed
    and the next look tries again: a restart of PostgreSQL must not stop the worker. Several workers may
    run at once: each job is claimed by exactly one.
    """
    if not once:
        click.echo(f"{title}: looking for jobs every {interval:g} s. Stop with Ctrl-C.")
    loops = 0
    try:
        while max_loops is None or loops < max_loops:
            loops += 1
            try:
                lines = run_queued()
            except SQLAlchemyError as error:
                click.echo(f"Database error, retrying at the next look: {error}", err=True)
                lines = []
            finally:
                db.session.remove()
            for line in lines:
                click.echo(line)
            if once:
                if not lines:
                    click.echo("No queued jobs.")
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")
