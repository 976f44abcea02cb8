"""Door pages: pick an event, then scan badges (scanner, camera, name search) and watch arrivals.

Every route answers the door page's script in JSON; the scan form also works as a plain form post
without JavaScript, and renders the page with the result. Door staff may pick a check-in list (a day
or a room): the page's ``?list=`` and every form's ``checkin_list`` carry its id.
"""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.badges.pdf import BadgeLayout, render_badges
from move_events.checkin import bp
from move_events.checkin.forms import DoorForm, ScanForm, WalkInForm
from move_events.checkin.frames import FRAME_TYPES, MAX_FRAME_BYTES, FrameUnreadable, decode_badge_frame
from move_events.checkin.lists import event_checkin_lists, on_list_ids
from move_events.checkin.models import CheckInList, ScanDirection, ScanResult
from move_events.checkin.presenters import counts_json, door_strings, list_label, outcome_json
from move_events.checkin.queries import search_attendees
from move_events.checkin.services import (
    CheckInError,
    admit_walk_in,
    check_in_by_token,
    check_in_registration,
    undo_check_in,
)
from move_events.checkin.sheets import render_sign_in_sheet
from move_events.db_types import utcnow
from move_events.directory.services import DirectoryError
from move_events.errors import json_only
from move_events.events.models import Event, EventStatus
from move_events.extensions import db
from move_events.labels import label
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.services import AlreadyRegistered, RegistrationError

SOON = timedelta(days=3)


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _door_form(form_class: type[DoorForm]) -> DoorForm:
    """The form from a form post, or from the script's JSON object (strings only; anything else: 400)."""
    if not request.is_json:
        return form_class()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return form_class(formdata=MultiDict({k: v for k, v in body.items() if isinstance(v, str)}))


def _chosen_list(event: Event, raw: str | None) -> CheckInList | None:
    """The check-in list whose id is ``raw`` (none if empty); 404 if it is not one of the event's."""
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        abort(404)
    checkin_list = db.get_or_404(CheckInList, int(raw))
    if checkin_list.event_id != event.id:
        abort(404)
    return checkin_list


def _door_event_or_404(event_id: int) -> Event:
    """The event, unless it is a draft and the user only door staff: drafts are not on the door list
    and must not be reachable by URL either (nothing to check in, and the names are not public yet).
    Organisers and admins may open a draft's door page to try it before publishing."""
    event = db.get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT and not current_user.has_role(Role.ORGANISER):
        abort(404)
    return event


def _registration_or_404(event: Event, registration_id: int) -> Registration:
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    return registration


@bp.route("/")
@role_required(Role.STAFF)
def event_list():
    now = utcnow()
    events = db.session.scalars(
        db.select(Event).where(Event.status == EventStatus.PUBLISHED).order_by(Event.starts_at)
    ).all()
    soon = [e for e in events if e.starts_at - SOON <= now <= e.ends_at + SOON]
    later = [e for e in events if e not in soon and e.ends_at > now][:50]
    return render_template("checkin/event_list.html", soon=soon, later=later)


@bp.route("/<int:event_id>")
@role_required(Role.STAFF)
def door(event_id: int):
    event = _door_event_or_404(event_id)
    checkin_list = _chosen_list(event, request.args.get("list"))
    query = request.args.get("q", "").strip()
    found = search_attendees(event, query) if query else []
    form = ScanForm(formdata=None, checkin_list=str(checkin_list.id) if checkin_list else "")
    return _render_door(event, form, query=query, found=found)


@bp.route("/<int:event_id>/scan", methods=["POST"])
@role_required(Role.STAFF)
def scan(event_id: int):
    event = _door_event_or_404(event_id)
    form = _door_form(ScanForm)
    if not form.validate():
        if _wants_json():
            return jsonify(errors=form.errors), 400
        return _render_door(event, form), 400
    outcome = check_in_by_token(
        event=event,
        token=form.token.data,
        user=current_user,
        nonce=form.nonce.data or None,
        door=form.door.data or "",
        device=request.user_agent.string,
        checkin_list=_chosen_list(event, form.checkin_list.data),
        direction=ScanDirection(form.direction.data or ScanDirection.ENTRY),
    )
    if _wants_json():
        # The answer is built inside the transaction (it sees this scan), before the commit expires
        # everything it reads: five fewer queries per scan, which is what the door's latency is made of.
        answer = outcome_json(outcome, event)
        db.session.commit()
        return jsonify(answer)
    db.session.commit()
    return _render_door(event, _next_scan_form(form), outcome=outcome)


@bp.route("/<int:event_id>/frame", methods=["POST"])
@json_only
@role_required(Role.STAFF)
def frame(event_id: int):
    """A camera picture from a browser without BarcodeDetector (the body is the JPEG; nonce, door and
    list in the query): a QR code in it is checked in exactly like a typed scan. A picture without a
    code answers ``{"result": "nothing"}`` at once and logs nothing: most frames show no badge."""
    event = _door_event_or_404(event_id)
    if (request.content_length or 0) > MAX_FRAME_BYTES:
        return jsonify(error=_("This picture is too large.")), 413
    form = DoorForm(formdata=request.args)
    if request.mimetype not in FRAME_TYPES or not form.validate():
        return jsonify(error=_("Send a JPEG or PNG picture."), errors=form.errors), 400
    checkin_list = _chosen_list(event, form.checkin_list.data)
    data = request.stream.read(MAX_FRAME_BYTES + 1)
    if len(data) > MAX_FRAME_BYTES:
        return jsonify(error=_("This picture is too large.")), 413
    try:
        token = decode_badge_frame(data)
    except FrameUnreadable:
        return jsonify(error=_("Send a JPEG or PNG picture.")), 400
    if token is None:
        return jsonify(result="nothing", ok=False)
    outcome = check_in_by_token(
        event=event,
        token=token,
        user=current_user,
        nonce=form.nonce.data or None,
        door=form.door.data or "",
        device=request.user_agent.string,
        checkin_list=checkin_list,
        direction=ScanDirection(form.direction.data or ScanDirection.ENTRY),
    )
    db.session.commit()
    return jsonify(outcome_json(outcome, event))


@bp.route("/<int:event_id>/search")
@json_only
@role_required(Role.STAFF)
def search(event_id: int):
    event = _door_event_or_404(event_id)
    checkin_list = _chosen_list(event, request.args.get("list"))
    found = search_attendees(event, request.args.get("q", ""))
    on_list = on_list_ids(checkin_list, [r.id for r in found]) if checkin_list else set()
    return jsonify(
        [
            {
                "id": r.id,
                "name": r.person.full_name,
                "organisation": r.person.organisation.name if r.person.organisation else "",
                "status": r.status.value,
                "status_label": label(r.status),
                "checked_in": r.id in on_list if checkin_list else r.checked_in_at is not None,
                "check_in_url": url_for(
                    "checkin.registration_check_in", event_id=event.id, registration_id=r.id
                ),
            }
            for r in found
        ]
    )


@bp.route("/<int:event_id>/registrations/<int:registration_id>/check-in", methods=["POST"])
@role_required(Role.STAFF)
def registration_check_in(event_id: int, registration_id: int):
    event = _door_event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    form = _door_form(DoorForm)
    if not form.validate():
        return jsonify(errors=form.errors), 400
    outcome = check_in_registration(
        event=event,
        registration=registration,
        user=current_user,
        nonce=form.nonce.data or None,
        door=form.door.data or "",
        device=request.user_agent.string,
        checkin_list=_chosen_list(event, form.checkin_list.data),
    )
    db.session.commit()
    if _wants_json():
        return jsonify(outcome_json(outcome, event))
    return _render_door(event, _next_scan_form(form), outcome=outcome)


@bp.route("/<int:event_id>/registrations/<int:registration_id>/undo", methods=["POST"])
@role_required(Role.STAFF)
def registration_undo(event_id: int, registration_id: int):
    event = _door_event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    checkin_list = _chosen_list(event, request.args.get("list"))  # the undo URL names the scan's list
    back = url_for("checkin.door", event_id=event.id, list=checkin_list.id if checkin_list else None)
    form = _door_form(DoorForm)
    try:
        undo_check_in(
            registration=registration, user=current_user, door=form.door.data or "", checkin_list=checkin_list
        )
    except CheckInError as error:
        if _wants_json():
            return jsonify(error=str(error)), 409
        flash(str(error), "warning")
        return redirect(back)
    db.session.commit()
    message = _("Check-in of %(name)s undone.", name=registration.person.full_name)
    if _wants_json():
        return jsonify(message=message, **counts_json(event, checkin_list))
    flash(message, "info")
    return redirect(back)


@bp.route("/<int:event_id>/count")
@json_only
@role_required(Role.STAFF)
def count(event_id: int):
    event = _door_event_or_404(event_id)
    return jsonify(counts_json(event, _chosen_list(event, request.args.get("list"))))


@bp.route("/<int:event_id>/walk-in", methods=["POST"])
@role_required(Role.STAFF)
def walk_in(event_id: int):
    """Register someone at the door and check them in at once (see ``admit_walk_in`` for the rule)."""
    event = _door_event_or_404(event_id)
    walk_in_form = WalkInForm()
    checkin_list = _chosen_list(event, walk_in_form.checkin_list.data)
    scan_form = _next_scan_form(walk_in_form)
    if not walk_in_form.validate():
        return _render_door(event, scan_form, walk_in=walk_in_form), 400
    try:
        outcome = admit_walk_in(
            event=event,
            details=walk_in_form.to_details(),
            user=current_user,
            nonce=uuid.uuid4().hex,
            door=walk_in_form.door.data or "",
            device=request.user_agent.string,
            checkin_list=checkin_list,
        )
    except AlreadyRegistered as error:
        db.session.rollback()
        return _render_door(event, scan_form, walk_in=walk_in_form, existing=error.existing), 409
    except (RegistrationError, DirectoryError, CheckInError) as error:
        db.session.rollback()
        walk_in_form.form_errors.append(str(error))
        return _render_door(event, scan_form, walk_in=walk_in_form), 409
    db.session.commit()
    return _render_door(event, scan_form, outcome=outcome, badge_registration=outcome.registration)


@bp.route("/<int:event_id>/registrations/<int:registration_id>/badge.pdf")
@role_required(Role.STAFF)
def registration_badge(event_id: int, registration_id: int):
    """One A6 badge to print at the door (a walk-in, a lost badge): confirmed registrations only."""
    event = _door_event_or_404(event_id)
    registration = _registration_or_404(event, registration_id)
    if registration.status != RegistrationStatus.CONFIRMED:
        abort(404)
    return _pdf_response(
        render_badges([registration], layout=BadgeLayout.A6), f"badge-{event.slug}-{registration.id}.pdf"
    )


def sign_in_sheet(event_id: int):
    """A4 sign-in sheet of the event's confirmed registrations, for signatures. Any organiser may print."""
    event = db.get_or_404(Event, event_id)
    return _pdf_response(render_sign_in_sheet(event), f"sign-in-sheet-{event.slug}.pdf")


# Beside the other organiser downloads under /manage/events/, outside this blueprint's /checkin prefix.
bp.record_once(
    lambda state: state.app.add_url_rule(
        "/manage/events/<int:event_id>/sign-in-sheet.pdf",
        endpoint=f"{bp.name}.sign_in_sheet",
        view_func=role_required(Role.ORGANISER)(sign_in_sheet),
    )
)


def _pdf_response(data: bytes, filename: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response


def _next_scan_form(form: DoorForm) -> ScanForm:
    """An empty scan form at the same door and on the same list, for the next badge."""
    return ScanForm(
        formdata=None, door=form.door.data, checkin_list=form.checkin_list.data, direction=form.direction.data
    )


def _render_door(
    event: Event,
    form: ScanForm,
    *,
    outcome=None,
    query: str = "",
    found=(),
    walk_in: WalkInForm | None = None,
    existing: Registration | None = None,
    badge_registration: Registration | None = None,
):
    checkin_list = _chosen_list(event, form.checkin_list.data)
    return render_template(
        "checkin/door.html",
        event=event,
        form=form,
        walk_in=walk_in or WalkInForm(formdata=None),
        walk_in_open=walk_in is not None,
        existing=existing,
        badge_registration=badge_registration,
        outcome=outcome_json(outcome, event) if outcome else None,
        ScanResult=ScanResult,
        counts=counts_json(event, checkin_list),
        checkin_lists=event_checkin_lists(event),
        checkin_list=checkin_list,
        on_list=on_list_ids(checkin_list, [r.id for r in found]) if checkin_list else set(),
        query=query,
        found=found,
        strings=door_strings(),
        list_label=list_label,
        fresh_nonce=uuid.uuid4().hex,
    )
