"""Agendas: a participant's own (page, PDF, .ics) through their personal link; for the event's organisers
one participant's agenda PDF and the table plan page. The table plan's PDF is a print job
(badges/job_views.py, ``badges.start_table_plan_job``): it takes too long for a request."""

from __future__ import annotations

import io

from flask import abort, make_response, render_template, send_file
from flask_babel import force_locale
from flask_login import current_user

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.events.models import Event
from move_events.events.services import can_manage
from move_events.extensions import db
from move_events.meetings import bp
from move_events.meetings.agendas import (
    agenda_for,
    agenda_ics,
    agenda_pdf,
    event_has_schedule,
    table_plan,
    template_helpers,
)
from move_events.registration.links import LinkError, LinkExpired, load_personal_token
from move_events.registration.models import Registration, RegistrationStatus


def _participant(token: str) -> Registration:
    """The token's registration, if it takes part in the event's meetings; else a 404 page saying why.

    Only confirmed registrations of an event with meetings have an agenda."""
    try:
        registration = load_personal_token(token)
    except LinkError as error:
        problem = "expired" if isinstance(error, LinkExpired) else "invalid"
        abort(
            make_response(render_template("registration/registration_link_error.html", problem=problem), 404)
        )
    if registration.status != RegistrationStatus.CONFIRMED or not registration.event.has_meetings:
        page = render_template("meetings/agenda_unavailable.html", registration=registration, token=token)
        abort(make_response(page, 404))
    return registration


def _private(response):
    response.headers["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


def _pdf(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename)


@bp.route("/r/<token>/agenda")
def agenda(token: str):
    registration = _participant(token)
    page = render_template(
        "meetings/agenda_page.html",
        agenda=agenda_for(registration),
        event=registration.event,
        scheduled=event_has_schedule(registration.event),
        token=token,
        **template_helpers(),
    )
    return _private(make_response(page))


@bp.route("/r/<token>/agenda.pdf", endpoint="agenda_pdf")
def agenda_pdf_download(token: str):
    registration = _participant(token)
    with force_locale(registration.person.preferred_language):
        data = agenda_pdf([registration])
    return _private(_pdf(data, f"agenda-{registration.event.slug}.pdf"))


@bp.route("/r/<token>/agenda.ics", endpoint="agenda_ics")
def agenda_ics_download(token: str):
    registration = _participant(token)
    with force_locale(registration.person.preferred_language):
        data = agenda_ics(registration)
    response = send_file(
        io.BytesIO(data), mimetype="text/calendar", download_name=f"meetings-{registration.event.slug}.ics"
    )
    return _private(response)


def _managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event


@bp.route("/manage/events/<int:event_id>/agendas/<int:registration_id>.pdf")
@role_required(Role.ORGANISER)
def manage_agenda_pdf(event_id: int, registration_id: int):
    """One participant's agenda, in their language, for the organiser to print or send."""
    event = _managed_event(event_id)
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    with force_locale(registration.person.preferred_language):
        data = agenda_pdf([registration])
    return _private(_pdf(data, f"agenda-{event.slug}-{registration.id}.pdf"))


@bp.route("/manage/events/<int:event_id>/table-plan", endpoint="table_plan")
@role_required(Role.ORGANISER)
def table_plan_page(event_id: int):
    event = _managed_event(event_id)
    return render_template(
        "meetings/agenda_table_plan.html",
        event=event,
        plan=table_plan(event),
        **template_helpers(),
    )
