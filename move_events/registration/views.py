"""Public registration and the participant's personal page. Organiser pages: organiser_views.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from move_events.events.models import Event, EventStatus
from move_events.events.services import registration_is_open
from move_events.extensions import db
from move_events.registration import bp
from move_events.registration.forms import CancelForm, LinkRequestForm, ProfileForm, RegistrationForm
from move_events.registration.links import LinkError, LinkExpired, load_personal_token
from move_events.registration.notifications import notify
from move_events.registration.services import (
    AlreadyRegistered,
    RegistrationError,
    cancel_registration,
    find_live_registration_by_email,
    organisation_names,
    register_person,
    update_profile,
)


def _public_event_or_404(slug: str) -> Event:
    event = db.first_or_404(select(Event).where(Event.slug == slug))
    if event.status == EventStatus.DRAFT:
        abort(404)
    return event


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
def create(slug: str):
    event = _public_event_or_404(slug)
    if not registration_is_open(event):
        return render_template("registration/registration_closed.html", event=event)
    form = RegistrationForm(event=event)
    if form.validate_on_submit():
        try:
            registration = register_person(event=event, details=form.to_details())
        except AlreadyRegistered as error:
            db.session.rollback()  # nothing of this attempt is kept, but the person gets their link again
            notify(error.existing, "link")
            db.session.commit()
            form.email.errors.append(
                _("You are already registered for this event. We have e-mailed your personal link again.")
            )
        except RegistrationError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for("registration.thanks", slug=event.slug, status=registration.status.value))
    return render_template(
        "registration/registration_form.html", event=event, form=form, organisation_names=organisation_names()
    )


@bp.route("/events/<slug>/registered")
def thanks(slug: str):
    event = _public_event_or_404(slug)
    return render_template(
        "registration/registration_thanks.html", event=event, status=request.args.get("status")
    )


@bp.route("/events/<slug>/link", methods=["GET", "POST"])
def request_link(slug: str):
    """Send a lost personal link again. The answer is the same whether or not the address is
    registered, so that nobody can find out who takes part."""
    event = _public_event_or_404(slug)
    form = LinkRequestForm()
    if form.validate_on_submit():
        registration = find_live_registration_by_email(event, form.email.data)
        if registration is not None:
            notify(registration, "link")
            db.session.commit()
        flash(_("If this address is registered for the event, its personal link is on its way."), "info")
        return redirect(url_for("events.public_detail", slug=event.slug))
    return render_template("registration/registration_link_request.html", event=event, form=form)


def _registration_from_link(token: str):
    try:
        return load_personal_token(token), None
    except LinkExpired:
        return None, "expired"
    except LinkError:
        return None, "invalid"


@bp.route("/r/<token>", methods=["GET", "POST"])
def manage(token: str):
    registration, problem = _registration_from_link(token)
    if registration is None:
        return render_template("registration/registration_link_error.html", problem=problem), 404
    form = ProfileForm(event=registration.event, data=_profile_data(registration))
    if registration.is_live and form.validate_on_submit():
        update_profile(registration, details=form.details(email=registration.person.email))
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("registration.manage", token=token))
    return render_template(
        "registration/registration_manage.html",
        registration=registration,
        event=registration.event,
        form=form,
        cancel_form=CancelForm(),
        token=token,
    )


@bp.route("/r/<token>/cancel", methods=["POST"])
def cancel(token: str):
    registration, problem = _registration_from_link(token)
    if registration is None:
        return render_template("registration/registration_link_error.html", problem=problem), 404
    if CancelForm().validate_on_submit():
        try:
            cancel_registration(registration)
        except RegistrationError as error:
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Your registration is cancelled. Thank you for freeing your seat."), "success")
    return redirect(url_for("registration.manage", token=token))


def _profile_data(registration) -> dict:
    person = registration.person
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "phone": person.phone,
        "job_title": person.job_title,
        "preferred_language": person.preferred_language,
        "offers": registration.offers,
        "requests": registration.requests,
        "sectors": registration.profile_sectors,
        "target_markets": registration.target_markets,
    }
