"""Organiser pages of an event's meetings: the filtered list with counts per status, arranging a
meeting, lock / unlock / move / unschedule / notes, the scheduler run, marks (held / not held) and the
CSV / XLSX export. Every page needs an organiser who can manage the event (``can_manage``): the list
shows organiser notes and participants' contacts of that event only.
"""

from __future__ import annotations

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.db_types import utcnow
from move_events.events.models import Event
from move_events.events.services import can_manage
from move_events.extensions import db
from move_events.meetings import bp
from move_events.meetings.booking import MeetingError, common_free_slots
from move_events.meetings.exports import meetings_csv, meetings_xlsx
from move_events.meetings.models import Meeting, MeetingStatus, SchedulerJob, SchedulerJobStatus
from move_events.meetings.organiser_forms import (
    ActionForm,
    ArrangeMeetingForm,
    MarkForm,
    MeetingFilterForm,
    MoveMeetingForm,
    NotesForm,
    RunSchedulerForm,
    parse_slot,
)
from move_events.meetings.outcomes import mark_meeting, mark_slot, revert_mark
from move_events.meetings.planning import (
    arrange_meeting,
    confirmed_participants,
    filtered_meetings,
    meeting_slots_in_use,
    meeting_status_counts,
    move_meeting,
    over_cap_warnings,
    set_meeting_lock,
    set_organiser_notes,
    unschedule_meeting,
)
from move_events.meetings.scheduler_jobs import (
    launch_scheduler_job,
    refresh_scheduler_job,
    start_scheduler_job,
)
from move_events.registration.models import Registration

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _managed_event_or_403(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


def _meeting_of(event: Event, meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.event_id != event.id:
        abort(404)
    return meeting


LIST_ARGS = ("q", "status", "slot", "page")  # the list's filters and page: all _back keeps of the query


def _back(event: Event, meeting: Meeting | None = None):
    """Back to the meeting's page, or to the list as it was filtered. Only the list's own query keys go
    to ``url_for``: another (``_external``, ``_anchor``, ``endpoint`` …) would mean something else."""
    if meeting is not None and request.form.get("next") != "list":
        return redirect(url_for("meetings.manage_update", event_id=event.id, meeting_id=meeting.id))
    args = {name: request.args[name] for name in LIST_ARGS if request.args.get(name)}
    return redirect(url_for("meetings.manage_list", event_id=event.id, **args))


@bp.route("/manage/events/<int:event_id>/meetings")
@role_required(Role.ORGANISER)
def manage_list(event_id: int):
    return _list_page(_managed_event_or_403(event_id), RunSchedulerForm())


def _list_page(event: Event, run_form: RunSchedulerForm) -> str:
    form = MeetingFilterForm(request.args, event=event, slots=meeting_slots_in_use(event))
    stmt = filtered_meetings(event, form.filters())
    return render_template(
        "meetings/manage_list.html",
        event=event,
        form=form,
        page=db.paginate(stmt, per_page=100, error_out=False),
        counts=meeting_status_counts(event),
        run_form=run_form,
        mark_form=MarkForm(),
        now=utcnow(),
    )


@bp.route("/manage/events/<int:event_id>/meetings/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def manage_create(event_id: int):
    event = _managed_event_or_403(event_id)
    form = ArrangeMeetingForm(event=event, participants=confirmed_participants(event))
    if form.validate_on_submit():
        try:
            meeting = arrange_meeting(
                event=event,
                requester=db.get_or_404(Registration, form.requester.data),
                counterpart=db.get_or_404(Registration, form.counterpart.data),
                locked=form.locked.data,
                start=form.start(),
                table=form.table.data,
                notes=form.notes.data or "",
            )
        except MeetingError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The meeting is arranged."), "success")
            for warning in over_cap_warnings(meeting):
                flash(str(warning), "warning")
            return redirect(url_for("meetings.manage_update", event_id=event.id, meeting_id=meeting.id))
    return render_template("meetings/manage_create.html", event=event, form=form)


def _move_form(meeting: Meeting, **kwargs) -> MoveMeetingForm:
    starts = [slot.start for slot in common_free_slots(meeting)] if meeting.status in _MOVABLE else []
    return MoveMeetingForm(event=meeting.event, starts=starts, **kwargs)


_MOVABLE = (MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED)


def _apply_action(meeting: Meeting, action: str) -> str:
    """Run one of the page's actions; returns the success message. Raises MeetingError."""
    if action in ("lock", "unlock"):
        set_meeting_lock(meeting, locked=action == "lock")
        return _("The meeting is locked.") if action == "lock" else _("The meeting is unlocked.")
    if action == "unschedule":
        unschedule_meeting(meeting)
        return _("The meeting has no time any more.")
    if action == "notes":
        form = NotesForm()
        if not form.validate():
            raise MeetingError(_("The notes are too long."))
        set_organiser_notes(meeting, notes=form.notes.data or "")
        return _("The notes are saved.")
    if action == "move":
        form = _move_form(meeting)
        if not form.validate():
            raise MeetingError(_("Choose one of the times offered, and a table number from 1."))
        move_meeting(meeting, start=form.start(), table=form.table.data)
        return _("The meeting is moved.")
    abort(400)


@bp.route("/manage/events/<int:event_id>/meetings/<int:meeting_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def manage_update(event_id: int, meeting_id: int):
    """The meeting's page (GET) and its actions (POST, ``action`` = lock, unlock, move, unschedule, notes)."""
    event = _managed_event_or_403(event_id)
    meeting = _meeting_of(event, meeting_id)
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            message = _apply_action(meeting, request.form.get("action", ""))
        except MeetingError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(message, "success")
        return _back(event, meeting)
    return render_template(
        "meetings/manage_meeting.html",
        event=event,
        meeting=meeting,
        move_form=_move_form(meeting),
        notes_form=NotesForm(notes=meeting.organiser_notes),
        action_form=ActionForm(),
        mark_form=MarkForm(),
        now=utcnow(),
    )


@bp.route("/manage/events/<int:event_id>/meetings/schedule", methods=["POST"])
@role_required(Role.ORGANISER)
def run_scheduler(event_id: int):
    """Start a scheduler job (or show the one already queued or running for the event)."""
    event = _managed_event_or_403(event_id)
    form = RunSchedulerForm()
    if not form.validate_on_submit():  # the list again, the panel open, the message at the box
        return _list_page(event, form)
    job, created = start_scheduler_job(event=event, user=current_user)
    db.session.commit()
    if created:
        launch_scheduler_job(job)
    else:
        flash(_("The scheduler is already running for this event: here is its progress."), "info")
    return redirect(url_for("meetings.scheduler_job", event_id=event.id, job_id=job.id))


def _job_of(event: Event, job_id: int) -> SchedulerJob:
    job = db.get_or_404(SchedulerJob, job_id)
    if job.event_id != event.id:
        abort(404)
    return refresh_scheduler_job(job)


def _job_progress(job: SchedulerJob) -> dict:
    return {
        "id": job.id,
        "status": job.status.value,
        "phase": job.phase.value,
        "percent": job.percent,
        "error": job.error or None,
    }


@bp.route("/manage/events/<int:event_id>/meetings/schedule/<int:job_id>")
@role_required(Role.ORGANISER)
def scheduler_job(event_id: int, job_id: int):
    """The job's progress while it runs (the page refreshes), then its result."""
    event = _managed_event_or_403(event_id)
    job = _job_of(event, job_id)
    if job.status == SchedulerJobStatus.DONE:
        return render_template(
            "meetings/manage_schedule_result.html", event=event, job=job, result=job.result
        )
    return render_template(
        "meetings/manage_scheduler_job.html",
        event=event,
        job=job,
        progress=_job_progress(job),
        run_form=RunSchedulerForm(),
    )


@bp.route("/manage/events/<int:event_id>/meetings/schedule/<int:job_id>.json")
@role_required(Role.ORGANISER)
def scheduler_job_progress(event_id: int, job_id: int):
    event = _managed_event_or_403(event_id)
    response = jsonify(_job_progress(_job_of(event, job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/events/<int:event_id>/meetings/mark", methods=["POST"])
@role_required(Role.ORGANISER)
def manage_mark(event_id: int):
    """Mark one meeting (``meeting_id``) or every unmarked meeting of a slot (``slot``)."""
    event = _managed_event_or_403(event_id)
    form = MarkForm()
    if not form.validate_on_submit():
        abort(400)
    meeting_id = form.meeting_id.data or ""
    meeting = _meeting_of(event, int(meeting_id)) if meeting_id.isdigit() else None
    try:
        if meeting is not None and form.mark.data == "revert":
            revert_mark(meeting)
            message = _("The mark is undone.")
        elif meeting is not None:
            mark_meeting(meeting, status=MeetingStatus(form.mark.data), by=current_user)
            message = _("The meeting is marked.")
        elif (start := parse_slot(form.slot.data)) is not None and form.mark.data != "revert":
            count = mark_slot(event, start=start, status=MeetingStatus(form.mark.data), by=current_user)
            message = ngettext("%(num)d meeting marked.", "%(num)d meetings marked.", count)
        else:
            abort(400)
    except MeetingError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(message, "success")
    return _back(event, meeting)


@bp.route("/manage/events/<int:event_id>/meetings.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def manage_export(event_id: int, fmt: str):
    """The list as shown (same filters), as a file. Personal data and notes: never cached."""
    event = _managed_event_or_403(event_id)
    form = MeetingFilterForm(request.args, event=event, slots=meeting_slots_in_use(event))
    meetings = db.session.scalars(filtered_meetings(event, form.filters())).all()
    data, mimetype = (meetings_csv, "text/csv") if fmt == "csv" else (meetings_xlsx, XLSX_MIMETYPE)
    name = f"{event.slug}-meetings-{utcnow():%Y%m%d-%H%M}.{fmt}"
    response = send_file(
        io.BytesIO(data(event, meetings)), mimetype=mimetype, as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "no-store"
    return response
