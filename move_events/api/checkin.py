"""/api/v1/events/<id>/checkin: scan a badge token, as the door page does (``check_in_by_token``).

Every scan answers 200 with the door page's result code (welcome, already_checked_in, not_confirmed,
wrong_event, invalid, left): a refused badge is a successful scan. A retry with the same ``nonce``
returns the first answer and is not counted again (``replayed``).
"""

from __future__ import annotations

from flask import request

from move_events.api.auth import api_user, requires
from move_events.api.common import child_or_404, visible_event_or_404
from move_events.api.errors import resource_blueprint
from move_events.api.models import ApiScope
from move_events.api.schemas import ScanIn, ScanOut
from move_events.auth.models import Role
from move_events.checkin.models import CheckInList, ScanDirection
from move_events.checkin.presenters import outcome_json
from move_events.checkin.services import check_in_by_token
from move_events.extensions import db

blp = resource_blueprint("api_checkin", __name__, "/events/<id:event_id>/checkin", "Badge scans at the door")


@blp.route("/", methods=["POST"])
@requires(ApiScope.CHECKIN, Role.STAFF)
@blp.arguments(ScanIn)
@blp.response(200, ScanOut)
def scan(data: dict, event_id: int):
    """Scan a badge: check its holder in (or out, with ``direction: exit``) and log the scan."""
    event = visible_event_or_404(event_id)
    checkin_list = None
    if "checkin_list_id" in data:
        checkin_list = child_or_404(CheckInList, data["checkin_list_id"], event)
    outcome = check_in_by_token(
        event=event,
        token=data["token"],
        user=api_user(),
        nonce=data.get("nonce") or None,
        door=data["door"],
        device=request.user_agent.string[:200],
        checkin_list=checkin_list,
        direction=ScanDirection(data["direction"]),
    )
    db.session.commit()
    shown = outcome_json(outcome, event)
    registration = outcome.registration
    return {
        **{key: shown[key] for key in ("result", "ok", "title", "detail", "name", "organisation")},
        **{key: shown[key] for key in ("arrived", "expected", "inside")},
        "replayed": outcome.replayed,
        "registration_id": registration.id if registration else None,
        "checked_in_at": outcome.checked_in_at,
    }
