"""Door pages: pick an event, then scan badges (scanner, camera, name search) and watch arrivals.

Every route answers the door page's script in JSON; the scan form also works as a plain form post
without JavaScript, and renders the page with the result.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.checkin import bp
from move_events.checkin.forms import DoorForm, ScanForm
from move_events.checkin.models import ScanResult
from move_events.checkin.presenters import door_strings, outcome_json
from move_events.checkin.services import (
    CheckInError,
    arrival_counts,
    check_in_by_token,
    check_in_registration,
    search_attendees,
    undo_check_in,
)
from move_events.db_types import utcnow
from move_events.events.models import Event, EventStatus
from move_events.extensions import db
from move_events.labels import label
from move_events.registration.models import Registration

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
    event = db.get_or_404(Event, event_id)
    query = request.args.get("q", "").strip()
    found = search_attendees(event, query) if query else []
    return _render_door(event, ScanForm(formdata=None), query=query, found=found)


@bp.route("/<int:event_id>/scan", methods=["POST"])
@role_required(Role.STAFF)
def scan(event_id: int):
    event = db.get_or_404(Event, event_id)
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
    )
    db.session.commit()
    if _wants_json():
        return jsonify(outcome_json(outcome, event))
    return _render_door(event, ScanForm(formdata=None, door=form.door.data), outcome=outcome)


@bp.route("/<int:event_id>/search")
@role_required(Role.STAFF)
def search(event_id: int):
    event = db.get_or_404(Event, event_id)
    found = search_attendees(event, request.args.get("q", ""))
    return jsonify(
        [
            {
                "id": r.id,
                "name": r.person.full_name,
                "organisation": r.person.organisation.name if r.person.organisation else "",
                "status": r.status.value,
                "status_label": label(r.status),
                "checked_in": r.checked_in_at is not None,
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
    event = db.get_or_404(Event, event_id)
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
    )
    db.session.commit()
    if _wants_json():
        return jsonify(outcome_json(outcome, event))
    return _render_door(event, ScanForm(formdata=None, door=form.door.data), outcome=outcome)


@bp.route("/<int:event_id>/registrations/<int:registration_id>/undo", methods=["POST"])
@role_required(Role.STAFF)
def registration_undo(event_id: int, registration_id: int):
    event = db.get_or_404(Event, event_id)
    registration = _registration_or_404(event, registration_id)
    form = _door_form(DoorForm)
    try:
        undo_check_in(registration=registration, user=current_user, door=form.door.data or "")
    except CheckInError as error:
        if _wants_json():
            return jsonify(error=str(error)), 409
        flash(str(error), "warning")
        return redirect(url_for("checkin.door", event_id=event.id))
    db.session.commit()
    arrived, expected = arrival_counts(event)
    message = _("Check-in of %(name)s undone.", name=registration.person.full_name)
    if _wants_json():
        return jsonify(message=message, arrived=arrived, expected=expected)
    flash(message, "info")
    return redirect(url_for("checkin.door", event_id=event.id))


@bp.route("/<int:event_id>/count")
@role_required(Role.STAFF)
def count(event_id: int):
    arrived, expected = arrival_counts(db.get_or_404(Event, event_id))
    return jsonify(arrived=arrived, expected=expected)


def _render_door(event: Event, form: ScanForm, *, outcome=None, query: str = "", found=()):
    arrived, expected = arrival_counts(event)
    return render_template(
        "checkin/door.html",
        event=event,
        form=form,
        outcome=outcome_json(outcome, event) if outcome else None,
        ScanResult=ScanResult,
        arrived=arrived,
        expected=expected,
        query=query,
        found=found,
        strings=door_strings(),
        fresh_nonce=uuid.uuid4().hex,
    )
