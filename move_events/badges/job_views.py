"""Rendering an event's badges, meeting agendas or table plan in the background: start a job, watch its
progress, download the PDF. Only organisers who manage the job's event see or start its jobs (the PDFs
hold personal data)."""

from __future__ import annotations

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import undefer

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.badges import bp
from move_events.badges.jobs import (
    PrintJobError,
    launch_print_job,
    refresh_job,
    retry_print_job,
    start_agenda_job,
    start_print_job,
    start_table_plan_job,
)
from move_events.badges.models import BadgePrintJob, JobKind, PrintJobStatus
from move_events.badges.pdf import BadgeLayout
from move_events.events.models import Event
from move_events.events.services import can_manage
from move_events.extensions import db
from move_events.registration.models import RegistrationStatus


def _load_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


def _load_job(job_id: int, **options) -> BadgePrintJob:
    job = db.session.get(BadgePrintJob, job_id, **options)
    if job is None:
        abort(404)
    if not can_manage(current_user, job.event):
        abort(403)
    return job


def _started(job: BadgePrintJob):
    db.session.commit()
    launch_print_job(job)
    return redirect(url_for("badges.badge_job", job_id=job.id))


@bp.route("/manage/events/<int:event_id>/badge-jobs", methods=["POST"])
@role_required(Role.ORGANISER)
def start_badge_job(event_id: int):
    """Queue one PDF of the event's badges (``status`` may repeat; default: confirmed)."""
    event = _load_event(event_id)
    statuses = request.form.getlist("status") or [RegistrationStatus.CONFIRMED.value]
    try:
        job = start_print_job(
            event=event,
            user=current_user,
            layout=request.form.get("layout", BadgeLayout.A6.value),
            statuses=statuses,
            only_unprinted=request.form.get("only_unprinted") in ("1", "on", "y", "true"),
        )
    except PrintJobError as error:
        flash(str(error), "warning")
        return redirect(url_for("events.manage_detail", event_id=event.id))
    return _started(job)


@bp.route("/manage/events/<int:event_id>/agenda-jobs", methods=["POST"], endpoint="start_agenda_job")
@role_required(Role.ORGANISER)
def start_agenda_job_view(event_id: int):
    """Queue one PDF of the agendas of everyone in the event with a scheduled meeting."""
    event = _load_event(event_id)
    back = request.referrer or url_for("events.manage_detail", event_id=event.id)
    return _start_event_job(start_agenda_job, event, back)


@bp.route("/manage/events/<int:event_id>/table-plan-jobs", methods=["POST"], endpoint="start_table_plan_job")
@role_required(Role.ORGANISER)
def start_table_plan_job_view(event_id: int):
    """Queue the event's table plan as one PDF (one A4 landscape page a slot)."""
    event = _load_event(event_id)
    return _start_event_job(start_table_plan_job, event, url_for("meetings.table_plan", event_id=event.id))


def _start_event_job(start, event, back: str):
    """Start a whole-event job (``start(event=, user=)``) and show it, or go ``back`` with the reason."""
    try:
        job = start(event=event, user=current_user)
    except PrintJobError as error:
        flash(str(error), "warning")
        return redirect(back)
    return _started(job)


@bp.route("/manage/badge-jobs/<int:job_id>/retry", methods=["POST"])
@role_required(Role.ORGANISER)
def retry_badge_job(job_id: int):
    """Start a failed job again, as a new job with the same choices."""
    failed = _load_job(job_id)
    try:
        job = retry_print_job(job=failed, user=current_user)
    except PrintJobError as error:
        flash(str(error), "warning")
        return redirect(url_for("badges.badge_job", job_id=failed.id))
    return _started(job)


def _progress(job: BadgePrintJob) -> dict:
    finished = job.status == PrintJobStatus.DONE
    return {
        "id": job.id,
        "kind": job.kind.value,
        "status": job.status.value,
        "total": job.total,
        "done": job.done,
        "percent": job.percent,
        "error": job.error or None,
        "download_url": url_for("badges.badge_job_download", job_id=job.id) if finished else None,
    }


@bp.route("/manage/badge-jobs/<int:job_id>")
@role_required(Role.ORGANISER)
def badge_job(job_id: int):
    job = refresh_job(_load_job(job_id))
    return render_template("badges/badge_job.html", job=job, progress=_progress(job))


@bp.route("/manage/badge-jobs/<int:job_id>.json")
@role_required(Role.ORGANISER)
def badge_job_progress(job_id: int):
    response = jsonify(_progress(refresh_job(_load_job(job_id))))
    response.headers["Cache-Control"] = "no-store"
    return response


def download_name(job: BadgePrintJob) -> str:
    """badges-<event>-<layout>-<id>.pdf, agendas-<event>-<id>.pdf or table-plan-<event>-<id>.pdf: sorts
    well in a downloads folder."""
    if job.kind == JobKind.AGENDAS:
        return f"agendas-{job.event.slug}-{job.id}.pdf"
    if job.kind == JobKind.TABLE_PLAN:
        return f"table-plan-{job.event.slug}-{job.id}.pdf"
    return f"badges-{job.event.slug}-{job.layout}-{job.id}.pdf"


@bp.route("/manage/badge-jobs/<int:job_id>/download")
@role_required(Role.ORGANISER)
def badge_job_download(job_id: int):
    job = _load_job(job_id, options=[undefer(BadgePrintJob.pdf)])
    if job.status != PrintJobStatus.DONE or job.pdf is None:
        abort(404)
    response = send_file(
        io.BytesIO(job.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=download_name(job),
    )
    response.headers["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response
