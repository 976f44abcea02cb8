from flask import render_template

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.directory import bp


@bp.route("/organisations/")
@role_required(Role.ORGANISER)
def organisation_list():
    return render_template("events/event_public_list.html", events=[])
