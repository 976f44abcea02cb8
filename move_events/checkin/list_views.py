"""Organisers' page of an event's check-in lists (per day or room): create and delete them.

Door staff choose a list on the door page; the list records who came that day, once each.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.checkin import bp
from move_events.checkin.forms import CheckInListForm
from move_events.checkin.lists import (
    CheckInListError,
    arrival_counts_by_list,
    create_checkin_list,
    delete_checkin_list,
    event_checkin_lists,
    event_days,
)
from move_events.checkin.models import CheckInList
from move_events.checkin.presenters import day_label
from move_events.events.models import Event
from move_events.events.services import can_manage
from move_events.extensions import db


def _managed_event_or_403(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


def _list_form(event: Event) -> CheckInListForm:
    return CheckInListForm(days=[(day, day_label(day)) for day in event_days(event)])


@bp.route("/<int:event_id>/lists", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def checkin_lists(event_id: int):
    event = _managed_event_or_403(event_id)
    form = _list_form(event)
    if form.validate_on_submit():
        try:
            checkin_list = create_checkin_list(event=event, name=form.name.data, day=form.chosen_day)
        except CheckInListError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("List %(name)s created.", name=checkin_list.name), "success")
            return redirect(url_for("checkin.checkin_lists", event_id=event.id))
    counts = arrival_counts_by_list(event.id)  # one query for every list
    lists = [(item, *counts.get(item.id, (0, 0))) for item in event_checkin_lists(event)]
    status = 400 if form.errors else 200
    return render_template(
        "checkin/lists.html", event=event, form=form, lists=lists, day_label=day_label
    ), status


@bp.route("/<int:event_id>/lists/<int:list_id>/delete", methods=["POST"])
@role_required(Role.ORGANISER)
def checkin_list_delete(event_id: int, list_id: int):
    event = _managed_event_or_403(event_id)
    checkin_list = db.get_or_404(CheckInList, list_id)
    if checkin_list.event_id != event.id:
        abort(404)
    try:
        delete_checkin_list(checkin_list=checkin_list)
    except CheckInListError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("List deleted."), "info")
    return redirect(url_for("checkin.checkin_lists", event_id=event.id))
