from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.events import bp
from move_events.events.forms import EventFilterForm, EventForm
from move_events.events.models import Event, EventCategory, EventStatus
from move_events.events.services import (
    EventError,
    can_manage,
    cancel_event,
    create_event,
    managed_events,
    public_events,
    publish_event,
    registration_is_open,
    update_event,
)
from move_events.extensions import db


def _managed_event_or_403(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


@bp.route("/")
@bp.route("/events/")
def public_list():
    category = request.args.get("category")
    category = EventCategory(category) if category in set(EventCategory) else None
    target = request.args.get("target") or None
    if target not in current_app.config["TARGET_COUNTRIES"]:
        target = None
    upcoming = db.session.scalars(public_events(upcoming=True, category=category, target_country=target))
    past = db.session.scalars(
        public_events(upcoming=False, category=category, target_country=target).limit(20)
    )
    return render_template(
        "events/event_public_list.html",
        upcoming=upcoming.all(),
        past=past.all(),
        category=category,
        target=target,
    )


@bp.route("/events/<slug>")
def public_detail(slug: str):
    event = db.first_or_404(select(Event).where(Event.slug == slug))
    if event.status == EventStatus.DRAFT and not can_manage(current_user, event):
        abort(404)
    return render_template(
        "events/event_public_detail.html", event=event, registration_open=registration_is_open(event)
    )


@bp.route("/manage/events/")
@role_required(Role.ORGANISER)
def manage_list():
    form = EventFilterForm(request.args)
    form.validate()  # an unknown status in the address lists every event rather than failing (a 500)
    status = None if form.status.errors else form.status.data or None
    query = managed_events(user=current_user, status=status, query_text=form.q.data or "")
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"])
    return render_template("events/event_manage_list.html", form=form, page=page, can_manage=can_manage)


@bp.route("/manage/events/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def create():
    form = EventForm()
    if form.validate_on_submit():
        event = create_event(details=form.to_details(), created_by=current_user)
        db.session.commit()
        flash(_("Event created as a draft. Publish it when it is ready."), "success")
        return redirect(url_for("events.manage_detail", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=None)


@bp.route("/manage/events/<int:event_id>")
@role_required(Role.ORGANISER)
def manage_detail(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template(
        "events/event_manage_detail.html", event=event, can_manage=can_manage(current_user, event)
    )


@bp.route("/manage/events/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(event_id: int):
    event = _managed_event_or_403(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("A cancelled event cannot be changed."), "warning")
        return redirect(url_for("events.manage_detail", event_id=event.id))
    form = EventForm() if request.method == "POST" else EventForm.for_event(event)
    if form.validate_on_submit():
        update_event(event, details=form.to_details())
        db.session.commit()
        flash(_("Event saved."), "success")
        return redirect(url_for("events.manage_detail", event_id=event.id))
    return render_template("events/event_form.html", form=form, event=event)


@bp.route("/manage/events/<int:event_id>/publish", methods=["POST"])
@role_required(Role.ORGANISER)
def publish(event_id: int):
    event = _managed_event_or_403(event_id)
    try:
        publish_event(event)
    except EventError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Event published: it is now on the public list."), "success")
    return redirect(url_for("events.manage_detail", event_id=event.id))


@bp.route("/manage/events/<int:event_id>/cancel", methods=["POST"])
@role_required(Role.ORGANISER)
def cancel(event_id: int):
    event = _managed_event_or_403(event_id)
    cancel_event(event)
    db.session.commit()
    flash(_("Event cancelled."), "warning")
    return redirect(url_for("events.manage_detail", event_id=event.id))
