"""Helpers the API resources share: loading objects (404 as JSON) and pagination."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select

from move_events.api.auth import api_user
from move_events.api.errors import api_abort
from move_events.events.models import Event, EventStatus
from move_events.events.services import can_manage
from move_events.extensions import db


def get_or_404(model: type, object_id: int) -> Any:
    found = db.session.get(model, object_id)
    if found is None:
        api_abort(404, _("Not found."))
    return found


def visible_event_or_404(event_id: int) -> Event:
    """Drafts are hidden from door staff (as on the door pages); organisers see every event."""
    from move_events.auth.models import Role

    event = get_or_404(Event, event_id)
    if event.status == EventStatus.DRAFT and not api_user().has_role(Role.ORGANISER):
        api_abort(404, _("Not found."))
    return event


def managed_event_or_403(event_id: int) -> Event:
    """The event, if the token's user may change its things (``can_manage``)."""
    event = get_or_404(Event, event_id)
    if not can_manage(api_user(), event):
        api_abort(403, _("You cannot manage this event."))
    return event


def child_or_404(model: type, object_id: int, event: Event) -> Any:
    """A registration or meeting of ``event`` (one of another event is not found here)."""
    found = get_or_404(model, object_id)
    if found.event_id != event.id:
        api_abort(404, _("Not found."))
    return found


def paginate(query: Select, args: dict) -> dict:
    """One page of ``query`` as the API's page envelope (an empty page past the end, not a 404)."""
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False, count=True)
    return {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total or 0,
        "pages": page.pages,
    }
