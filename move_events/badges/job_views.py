"""Printing an event's badges in the background: start a job, watch its progress, download the PDF."""

from __future__ import annotations

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import undefer

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.badges import bp
from move_events.badges.jobs import PrintJobError, launch_print_job, start_print_job
from move_events.badges.models import BadgePrintJob, PrintJobStatus
from move_events.badges.pdf import BadgeLayout
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import RegistrationStatus


@bp.route("/manage/events/<int:event_id>/badge-jobs", methods=["POST"])
@role_required(Role.ORGANISER)
def start_badge_job(event_id: int):
    """Queue one PDF of the event's badges (``status`` may repeat; default: confirmed)."""
    event = db.get_or_404(Event, event_id)
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
    db.session.commit()
    launch_print_job(job)
    return redirect(url_for("badges.badge_job", job_id=job.id))


def _load_job(job_id: int) -> BadgePrintJob:
    return db.get_or_404(BadgePrintJob, job_id)


def _progress(job: BadgePrintJob) -> dict:
    finished = job.status == PrintJobStatus.DONE
    return {
        "id": job.id,
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
    job = _load_job(job_id)
    return render_template("badges/badge_job.html", job=job, progress=_progress(job))


@bp.route("/manage/badge-jobs/<int:job_id>.json")
@role_required(Role.ORGANISER)
def badge_job_progress(job_id: int):
    response = jsonify(_progress(_load_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/badge-jobs/<int:job_id>/download")
@role_required(Role.ORGANISER)
def badge_job_download(job_id: int):
    job = db.session.get(BadgePrintJob, job_id, options=[undefer(BadgePrintJob.pdf)])
    if job is None or job.status != PrintJobStatus.DONE or job.pdf is None:
        abort(404)
    response = send_file(
        io.BytesIO(job.pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"badges-{job.event.slug}-{job.layout}-{job.id}.pdf",
    )
    response.headers["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response
