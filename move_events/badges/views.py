"""Badge downloads: a participant's own badge through their personal link, an event's badges for the
organisers, and reissuing a badge (which revokes the printed one)."""

from __future__ import annotations

import io

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.badges import bp
from move_events.badges.pdf import BadgeLayout, render_badges
from move_events.badges.tokens import reissue_badge
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.events.services import can_manage
from move_events.extensions import db
from move_events.registration.links import LinkError, LinkExpired, load_personal_token
from move_events.registration.models import Registration, RegistrationStatus

DEFAULT_SYNC_LIMIT = 200  # more than this waits for background printing (a later step)


def _pdf_response(data: bytes, filename: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response


@bp.route("/r/<token>/badge.pdf")
def personal_badge(token: str):
    """The participant's own badge, in their language, once their place is confirmed."""
    try:
        registration = load_personal_token(token)
    except LinkError as error:
        problem = "expired" if isinstance(error, LinkExpired) else "invalid"
        return render_template("registration/registration_link_error.html", problem=problem), 404
    if registration.status != RegistrationStatus.CONFIRMED:
        page = render_template("badges/badge_unavailable.html", registration=registration, token=token)
        return page, 404
    with force_locale(registration.person.preferred_language):
        data = render_badges([registration], layout=BadgeLayout.A6)
    response = _pdf_response(data, f"badge-{registration.event.slug}.pdf")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _badge_query(event: Event, status: RegistrationStatus):
    return (
        select(Registration)
        .join(Registration.person)
        .where(Registration.event_id == event.id, Registration.status == status)
        .order_by(Person.family_name, Person.given_name, Registration.id)
        .options(selectinload(Registration.person).selectinload(Person.organisation))
    )


@bp.route("/manage/events/<int:event_id>/badges.pdf")
@role_required(Role.ORGANISER)
def event_badges(event_id: int):
    """The badges of an event's confirmed registrations (``?status=`` may pick pending or waitlisted
    ones to print ahead), sorted by family name for the welcome desk. Any organiser may print."""
    event = db.get_or_404(Event, event_id)
    try:
        layout = BadgeLayout(request.args.get("layout", BadgeLayout.A6))
        status = RegistrationStatus(request.args.get("status", RegistrationStatus.CONFIRMED))
    except ValueError:
        abort(400)
    if status not in RegistrationStatus.live():
        abort(400)
    query = _badge_query(event, status)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    limit = int(current_app.config.get("BADGES_SYNC_LIMIT", DEFAULT_SYNC_LIMIT))
    if count > limit:
        page = render_template("badges/badges_too_many.html", event=event, count=count, limit=limit)
        return page, 413
    data = render_badges(db.session.scalars(query), layout=layout)
    return _pdf_response(data, f"badges-{event.slug}-{layout}.pdf")


@bp.route("/manage/events/<int:event_id>/registrations/<int:registration_id>/reissue-badge", methods=["POST"])
@role_required(Role.ORGANISER)
def reissue(event_id: int, registration_id: int):
    """A new badge token for a lost or misprinted badge: the old badge no longer opens the door."""
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    registration = db.get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    reissue_badge(registration)
    db.session.commit()
    name = registration.person.full_name
    flash(_("A new badge is issued for %(name)s: the old one no longer works.", name=name), "success")
    return redirect(url_for("registration.manage_list", event_id=event.id))
