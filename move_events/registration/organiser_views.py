"""Organiser pages of an event's registrations: the filtered list with its counts, approve / decline /
cancel / confirm from the waiting list, add by hand, import from CSV, export as CSV or XLSX.

Every organiser may read the list (read access is shared within the partnership, as for events);
changing anything needs ``can_manage`` on the event as well.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.db_types import utcnow
from move_events.directory.services import DirectoryError
from move_events.events.models import Event, EventStatus
from move_events.events.services import can_manage
from move_events.extensions import db
from move_events.registration import bp
from move_events.registration.exports import registrations_csv, registrations_xlsx
from move_events.registration.imports import COLUMNS as IMPORT_COLUMNS
from move_events.registration.imports import import_registrations
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.organiser_forms import (
    OrganiserRegistrationForm,
    RegistrationFilterForm,
    RegistrationImportForm,
)
from move_events.registration.queries import filtered_registrations, live_registration_count, status_counts
from move_events.registration.services import (
    AlreadyRegistered,
    RegistrationError,
    approve_registration,
    cancel_registration,
    confirm_from_waitlist,
    decline_registration,
    organisation_names,
    register_person,
    seats_left,
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_ARGS = ("q", "status", "country", "kind", "page")  # kept when an action returns to the list
ACTIONS: dict[str, Callable[[Registration], object]] = {
    "approve": approve_registration,
    "decline": decline_registration,
    "cancel": lambda registration: cancel_registration(registration, by_organiser=True),
    "confirm": confirm_from_waitlist,
}

bp.add_app_template_global(live_registration_count, "live_registration_count")


def _managed_event_or_403(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


def _back_to_list(event: Event, args: dict | None = None):
    return redirect(url_for("registration.manage_list", event_id=event.id, **(args or {})))


@bp.route("/manage/events/<int:event_id>/registrations/")
@role_required(Role.ORGANISER)
def manage_list(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = RegistrationFilterForm(request.args, event=event)
    filters = form.filters()
    stmt = filtered_registrations(event, filters)
    return render_template(
        "registration/manage_list.html",
        event=event,
        form=form,
        page=db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False),
        counts=status_counts(event, filters),
        seats_left=seats_left(event),
        can_manage=can_manage(current_user, event),
    )


@bp.route(
    "/manage/events/<int:event_id>/registrations/<int:registration_id>/"
    "<any(approve, decline, cancel, confirm):action>",
    methods=["POST"],
)
@role_required(Role.ORGANISER)
def manage_action(event_id: int, registration_id: int, action: str):
    event = _managed_event_or_403(event_id)
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    try:
        result = ACTIONS[action](registration)
    except RegistrationError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        message = _action_message(action, registration, result)
        db.session.commit()
        flash(message, "success")
    return _back_to_list(event, {name: request.args[name] for name in LIST_ARGS if request.args.get(name)})


def _action_message(action: str, registration: Registration, result: object) -> str:
    name = registration.person.full_name
    if action == "cancel":
        message = _("The registration of %(name)s is cancelled.", name=name)
        if result:  # those who took the freed seats
            names = ", ".join(promoted.person.full_name for promoted in result)
            moved = ngettext(
                "%(num)d person moved up from the waiting list: %(names)s.",
                "%(num)d people moved up from the waiting list: %(names)s.",
                len(result),
                names=names,
            )
            message = f"{message} {moved}"
        return message
    if action == "decline":
        return _("The registration of %(name)s is declined.", name=name)
    if registration.status == RegistrationStatus.WAITLISTED:
        return _("The event is full: %(name)s is on the waiting list.", name=name)
    return _("%(name)s is confirmed.", name=name)


@bp.route("/manage/events/<int:event_id>/registrations/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def manage_add(event_id: int):
    event = _managed_event_or_403(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is cancelled: it takes no more registrations."), "warning")
        return _back_to_list(event)
    form = OrganiserRegistrationForm(event=event)
    if form.validate_on_submit():
        try:
            registration = register_person(event=event, details=form.to_details(), by_organiser=True)
        except AlreadyRegistered:
            db.session.rollback()
            form.email.errors.append(_("This person is already registered for this event."))
        except (RegistrationError, DirectoryError) as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s is registered.", name=registration.person.full_name), "success")
            return _back_to_list(event)
    return render_template(
        "registration/manage_add.html", event=event, form=form, organisation_names=organisation_names()
    )


@bp.route("/manage/events/<int:event_id>/registrations/import", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def manage_import(event_id: int):
    event = _managed_event_or_403(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("This event is cancelled: it takes no more registrations."), "warning")
        return _back_to_list(event)
    form, summary = RegistrationImportForm(), None
    if form.validate_on_submit():
        summary = import_registrations(event=event, data=form.file.data.read())
        if summary.ok:
            db.session.commit()
            flash(summary.message(), "success")
            return _back_to_list(event)
        db.session.rollback()
    return render_template(
        "registration/manage_import.html", event=event, form=form, summary=summary, columns=IMPORT_COLUMNS
    )


@bp.route("/manage/events/<int:event_id>/registrations.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def manage_export(event_id: int, fmt: str):
    """The list as shown (same filters), as a file. Personal data: never cached."""
    event = db.get_or_404(Event, event_id)
    filters = RegistrationFilterForm(request.args, event=event).filters()
    registrations = db.session.scalars(filtered_registrations(event, filters)).all()
    if fmt == "csv":
        data, mimetype = registrations_csv(registrations), "text/csv"
    else:
        data, mimetype = registrations_xlsx(registrations), XLSX_MIMETYPE
    name = f"{event.slug}-registrations-{utcnow():%Y%m%d-%H%M}.{fmt}"
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
