"""/api/v1/events: list (filters, pages) and read. Organisers see every event, drafts included (read
access is shared in the partnership, as on the staff pages); door staff see published and cancelled."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import marshmallow as ma

from move_events.api.auth import api_user, requires
from move_events.api.common import paginate, visible_event_or_404
from move_events.api.errors import resource_blueprint
from move_events.api.models import ApiScope
from move_events.api.schemas import EventArgs, EventOut, EventPage
from move_events.auth.models import Role
from move_events.events.models import Event, EventStatus
from move_events.events.services import managed_events

blp = resource_blueprint("api_events", __name__, "/events", "Events of the partnership")


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@blp.route("/", methods=["GET"])
@requires(ApiScope.READ, Role.STAFF)
@blp.arguments(EventArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@blp.response(200, EventPage)
def list_events(args: dict):
    """List events, latest start first."""
    query = managed_events(user=api_user(), status=args.get("status"), query_text=args.get("q", ""))
    if not api_user().has_role(Role.ORGANISER):
        query = query.where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
    if "category" in args:
        query = query.where(Event.category == args["category"])
    if "target_country" in args:
        query = query.where(Event.target_country == args["target_country"])
    if args.get("starts_from"):
        query = query.where(Event.starts_at >= _midnight(args["starts_from"]))
    if args.get("starts_to"):
        query = query.where(Event.starts_at < _midnight(args["starts_to"]) + timedelta(days=1))
    return paginate(query.order_by(Event.id.desc()), args)


@blp.route("/<id:event_id>", methods=["GET"])
@requires(ApiScope.READ, Role.STAFF)
@blp.response(200, EventOut)
def get_event(event_id: int):
    """One event."""
    return visible_event_or_404(event_id)
