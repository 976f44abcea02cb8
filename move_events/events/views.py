from flask import render_template

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.events import bp


@bp.route("/")
@bp.route("/events/")
def public_list():
    return render_template("events/event_public_list.html", events=[])


@bp.route("/manage/events/")
@role_required(Role.ORGANISER)
def manage_list():
    return render_template("events/event_public_list.html", events=[])
