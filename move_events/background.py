"""What the app's background jobs share: threads in the web process, and the worker command's loop.

Two kinds of jobs run in the background, print jobs (``badges/jobs.py``) and scheduler runs
(``meetings/scheduler_jobs.py``). Each runs either

- in a thread of the web process that queued it (``JobThreads``; the default, fine for one server), or
- in a worker of its own (``flask --app move_events badges run-jobs`` / ``meetings run-jobs``, with
  ``*_IN_THREAD = False``), whose loop is ``worker_loop``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import click
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

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
