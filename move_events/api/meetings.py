"""/api/v1/events/<id>/meetings: list, and mark held or missed (``mark_meeting``).

Both need an organiser who can manage the event, as the staff meeting pages do. A mark the rules
refuse (the slot has not started, the meeting has no time) is 409 with the reason.
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select

from move_events.api.auth import api_user, requires
from move_events.api.common import child_or_404, managed_event_or_403, paginate
from move_events.api.errors import api_abort, resource_blueprint
from move_events.api.models import ApiScope
from move_events.api.schemas import MeetingArgs, MeetingOut, MeetingPage, MeetingStatusIn
from move_events.auth.models import Role
from move_events.extensions import db
from move_events.meetings.booking import MeetingError
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.meetings.outcomes import mark_meeting

blp = resource_blueprint("api_meetings", __name__, "/events/<id:event_id>/meetings", "Meetings of an event")


@blp.route("/", methods=["GET"])
@requires(ApiScope.READ, Role.ORGANISER)
@blp.arguments(MeetingArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@blp.response(200, MeetingPage)
def list_meetings(args: dict, event_id: int):
    """Meetings of the event, by slot (unscheduled last), then id."""
    event = managed_event_or_403(event_id)
    query = select(Meeting).where(Meeting.event_id == event.id)
    if "status" in args:
        query = query.where(Meeting.status == args["status"])
    return paginate(query.order_by(Meeting.slot_start.is_(None), Meeting.slot_start, Meeting.id), args)


@blp.route("/<id:meeting_id>", methods=["PATCH"])
@requires(ApiScope.WRITE, Role.ORGANISER)
@blp.arguments(MeetingStatusIn)
@blp.response(200, MeetingOut)
@blp.alt_response(409, response="CONFLICT")
def update_meeting(data: dict, event_id: int, meeting_id: int):
    """Mark a meeting completed or no_show (an organiser's mark outranks the sides' ratings)."""
    event = managed_event_or_403(event_id)
    meeting = child_or_404(Meeting, meeting_id, event)
    try:
        mark_meeting(meeting, status=MeetingStatus(data["status"]), by=api_user())
    except MeetingError as error:
        db.session.rollback()
        api_abort(409, str(error))
    db.session.commit()
    return meeting
