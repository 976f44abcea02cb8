"""Printing many badges in the background: one PDF, with progress, never inside a web request.

``start_print_job`` records what to print (and flushes); after the view commits, ``launch_print_job``
runs ``run_print_job`` in a thread of its own with its own application context (as the outbox delivers
mail after a request). The runner renders the badges in chunks, commits the progress after each chunk
(so ``/manage/badge-jobs/<id>.json`` sees it), joins the chunks' pages into one PDF with WeasyPrint,
stores it in the job row and marks the registrations' badges as printed. Any error fails the job with
its message; nothing is marked printed then.

``BADGE_JOBS_IN_THREAD = False`` leaves launched jobs queued: tests call ``run_print_job`` themselves.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence

import weasyprint
from flask import Flask, current_app, g
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from move_events.auth.models import User
from move_events.badges.models import BadgePrintJob, PrintJobStatus
from move_events.badges.pdf import SHEETS, BadgeLayout, render_badges_html
from move_events.db_types import utcnow
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationStatus

CHUNK_BADGES = 50  # badges per rendered chunk: progress moves every few seconds
_UPDATE_BATCH = 500  # ids per UPDATE (SQLite allows a limited number of bound parameters)


class PrintJobError(Exception):
    """A print job that cannot start; the message is shown to the organiser."""


def badge_query(event_id: int, statuses: Iterable[str], *, only_unprinted: bool):
    """Registrations whose badges a job prints, in welcome-desk order (family name, given name)."""
    query = (
        select(Registration)
        .join(Registration.person)
        .where(Registration.event_id == event_id, Registration.status.in_(list(statuses)))
        .order_by(Person.family_name, Person.given_name, Registration.id)
    )
    if only_unprinted:
        query = query.where(Registration.badge_printed_at.is_(None))
    return query


def start_print_job(
    *,
    event: Event,
    user: User | None,
    layout: BadgeLayout | str,
    statuses: Sequence[RegistrationStatus | str],
    only_unprinted: bool,
) -> BadgePrintJob:
    """Record a print job for ``event`` (queued; launch it after committing). Flushes."""
    try:
        layout = BadgeLayout(layout)
        chosen = sorted({RegistrationStatus(status) for status in statuses})
    except ValueError as error:
        raise PrintJobError(_l("Unknown layout or registration status.")) from error
    if not chosen or any(status not in RegistrationStatus.live() for status in chosen):
        raise PrintJobError(_l("Choose confirmed, pending or waitlisted registrations."))
    query = badge_query(event.id, chosen, only_unprinted=only_unprinted)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    if total == 0:
        raise PrintJobError(_l("No badges to print: no registration matches."))
    job = BadgePrintJob(
        event=event,
        requested_by=user,
        layout=layout.value,
        statuses=[status.value for status in chosen],
        only_unprinted=only_unprinted,
        locale=str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")),
        total=total,
    )
    db.session.add(job)
    db.session.flush()
    return job


def chunk_size(layout: BadgeLayout) -> int:
    """About CHUNK_BADGES, rounded up to whole sheets so that no page but the last is half empty."""
    per_page = len(SHEETS[layout].slots)
    return per_page * math.ceil(CHUNK_BADGES / per_page)


def run_print_job(job_id: int) -> BadgePrintJob | None:
    """Render a queued job now, in the current application context; returns the job (done or failed)."""
    job = db.session.get(BadgePrintJob, job_id)
    if job is None or job.status != PrintJobStatus.QUEUED:
        return job
    job.status = PrintJobStatus.RUNNING
    db.session.commit()
    g.badge_print_job = job_id  # flask-babel ignores force_locale while g is empty
    try:
        with force_locale(job.locale):
            _render(job)
    except Exception as error:
        current_app.logger.exception("Badge print job %s failed", job_id)
        db.session.rollback()
        job = db.session.get(BadgePrintJob, job_id)
        job.status = PrintJobStatus.FAILED
        job.error = str(error) or type(error).__name__
        job.finished_at = utcnow()
        db.session.commit()
    return job


def _render(job: BadgePrintJob) -> None:
    layout = BadgeLayout(job.layout)
    query = badge_query(job.event_id, job.statuses, only_unprinted=job.only_unprinted)
    ids = list(db.session.scalars(query.with_only_columns(Registration.id)))
    if not ids:
        raise PrintJobError(_l("No badges to print: no registration matches any more."))
    job.total, job.done = len(ids), 0
    db.session.commit()
    documents = []
    size = chunk_size(layout)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        registrations = db.session.scalars(
            badge_query(job.event_id, job.statuses, only_unprinted=False)
            .where(Registration.id.in_(chunk))
            .options(selectinload(Registration.person).selectinload(Person.organisation))
        ).all()
        html = render_badges_html(registrations, layout=layout)
        documents.append(weasyprint.HTML(string=html, base_url=current_app.static_folder).render())
        job.done += len(chunk)
        db.session.commit()  # the progress bar polls this
        db.session.expire_all()  # the chunk's registrations are not needed any more
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    printed_at = utcnow()
    for start in range(0, len(ids), _UPDATE_BATCH):
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(ids[start : start + _UPDATE_BATCH]))
            .values(badge_printed_at=printed_at)
            .execution_options(synchronize_session=False)
        )
    job.pdf = pdf
    job.status = PrintJobStatus.DONE
    job.finished_at = printed_at
    db.session.commit()


class _Runner:
    """The application's print-job threads, so that tests and shutdown can wait for them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def start(self, job_id: int) -> None:
        thread = threading.Thread(target=self._run, args=(job_id,), name=f"badge-job-{job_id}", daemon=True)
        with self._lock:
            self._threads.add(thread)
        thread.start()

    def _run(self, job_id: int) -> None:
        try:
            with self.app.app_context():
                run_print_job(job_id)
        except Exception:  # run_print_job records failures; this is the database itself failing
            self.app.logger.exception("Badge print job %s could not run", job_id)
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)


def _runner(app: Flask) -> _Runner:
    with _LOCK:
        return app.extensions.setdefault("badge_jobs", _Runner(app))


_LOCK = threading.Lock()


def launch_print_job(job: BadgePrintJob) -> None:
    """Run a committed job in the background (unless ``BADGE_JOBS_IN_THREAD`` is off)."""
    app = current_app._get_current_object()
    if app.config.get("BADGE_JOBS_IN_THREAD", True):
        _runner(app).start(job.id)


def wait_for_print_jobs(app: Flask, timeout: float = 60.0) -> bool:
    """Wait until the app's print-job threads have finished (tests); False on timeout."""
    runner = app.extensions.get("badge_jobs")
    return runner.wait(timeout) if runner else True
