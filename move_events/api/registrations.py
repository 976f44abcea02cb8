"""/api/v1/events/<id>/registrations: list, create, read, cancel.

Reading needs an organiser (as the staff list of registrations); creating and cancelling also need
``can_manage`` on the event. Creating is the organiser's "add a person" (``register_person`` with
``by_organiser``); cancelling is ``cancel_registration`` (the freed seat goes to the waiting list).
Refusals of the rules are 409 with the service's message; invalid input is 422.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from sqlalchemy import select

from move_events.api.auth import requires
from move_events.api.common import child_or_404, get_or_404, managed_event_or_403, paginate
from move_events.api.errors import api_abort, resource_blueprint
from move_events.api.models import ApiScope
from move_events.api.schemas import (
    CancelOut,
    RegistrationArgs,
    RegistrationIn,
    RegistrationOut,
    RegistrationPage,
)
from move_events.auth.models import Role
from move_events.directory.models import Organisation, OrganisationKind
from move_events.directory.services import DirectoryError
from move_events.events.models import Event
from move_events.extensions import db
from move_events.registration.models import Registration, RegistrationRole
from move_events.registration.services import (
    AlreadyRegistered,
    EventFull,
    InvalidTransition,
    NewOrganisation,
    ParticipantDetails,
    RegistrationClosed,
    RegistrationError,
    cancel_registration,
    register_person,
)

blp = resource_blueprint(
    "api_registrations", __name__, "/events/<id:event_id>/registrations", "Registrations of an event"
)
CONFLICTS = (AlreadyRegistered, EventFull, RegistrationClosed, InvalidTransition)


@blp.route("/", methods=["GET"])
@requires(ApiScope.READ, Role.ORGANISER)
@blp.arguments(RegistrationArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@blp.response(200, RegistrationPage)
def list_registrations(args: dict, event_id: int):
    """Registrations of the event, oldest first."""
    event = get_or_404(Event, event_id)
    query = select(Registration).where(Registration.event_id == event.id)
    if "status" in args:
        query = query.where(Registration.status == args["status"])
    return paginate(query.order_by(Registration.id), args)


@blp.route("/", methods=["POST"])
@requires(ApiScope.WRITE, Role.ORGANISER)
@blp.arguments(RegistrationIn)
@blp.response(201, RegistrationOut)
@blp.alt_response(409, response="CONFLICT")
def create_registration(data: dict, event_id: int):
    """Register a person: confirmed while seats remain, then waitlisted (the event's rules)."""
    event = managed_event_or_403(event_id)
    details = _details(data)
    try:
        registration = register_person(event=event, details=details, by_organiser=True)
    except AlreadyRegistered:
        db.session.rollback()
        api_abort(409, _("This person is already registered for this event."))
    except CONFLICTS as error:
        db.session.rollback()
        api_abort(409, str(error))
    except (RegistrationError, DirectoryError) as error:
        db.session.rollback()
        api_abort(422, str(error))
    db.session.commit()
    return registration


def _details(data: dict) -> ParticipantDetails:
    organisation: Organisation | NewOrganisation | None = None
    if "organisation_id" in data:
        organisation = db.session.get(Organisation, data["organisation_id"])
        if organisation is None:
            api_abort(404, _("No such organisation."), errors={"json": {"organisation_id": ["Not found."]}})
    elif data.get("organisation"):
        new = data["organisation"]
        organisation = NewOrganisation(
            name=new["name"].strip(),
            kind=OrganisationKind(new["kind"]),
            country=new["country"],
            city=new["city"].strip(),
        )
    return ParticipantDetails(
        given_name=data["given_name"].strip(),
        family_name=data["family_name"].strip(),
        email=data["email"],
        phone=data["phone"].strip(),
        job_title=data["job_title"].strip(),
        preferred_language=data["preferred_language"],
        organisation=organisation,
        role=RegistrationRole(data["role"]),
        offers=data["offers"],
        requests=data["requests"],
    )


@blp.route("/<id:registration_id>", methods=["GET"])
@requires(ApiScope.READ, Role.ORGANISER)
@blp.response(200, RegistrationOut)
def get_registration(event_id: int, registration_id: int):
    """One registration of the event."""
    return child_or_404(Registration, registration_id, get_or_404(Event, event_id))


@blp.route("/<id:registration_id>/cancel", methods=["POST"])
@requires(ApiScope.WRITE, Role.ORGANISER)
@blp.response(200, CancelOut)
@blp.alt_response(409, response="CONFLICT")
def cancel(event_id: int, registration_id: int):
    """Cancel a registration (the person is told by e-mail); the first on the waiting list moves up."""
    event = managed_event_or_403(event_id)
    registration = child_or_404(Registration, registration_id, event)
    try:
        promoted = cancel_registration(registration, by_organiser=True)
    except RegistrationError as error:
        db.session.rollback()
        api_abort(409, str(error))
    db.session.commit()
    return {"registration": registration, "promoted": promoted}
