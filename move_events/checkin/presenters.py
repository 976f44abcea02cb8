"""What the door shows: a scan outcome as the result panel's title and detail, in the user's language."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from move_events.checkin.models import ScanResult
from move_events.checkin.services import ScanOutcome, arrival_counts
from move_events.events.models import Event
from move_events.labels import label
from move_events.registration.models import RegistrationStatus
from move_events.templating import local_datetime


def outcome_json(outcome: ScanOutcome, event: Event) -> dict:
    """The scan answer the door page's script (and the no-script page) shows."""
    arrived, expected = arrival_counts(event)
    registration = outcome.registration
    at = local_datetime(outcome.checked_in_at, event.timezone, "HH:mm") if outcome.checked_in_at else ""
    title, detail = _describe(outcome, at)
    return {
        "result": outcome.result.value,
        "ok": outcome.ok,
        "title": title,
        "detail": detail,
        "name": outcome.name if outcome.result is not ScanResult.INVALID else "",
        "organisation": outcome.organisation,
        "role": label(registration.role) if registration else "",
        "checked_in_at": at,
        "registration_id": registration.id if registration else None,
        "undo_url": url_for("checkin.registration_undo", event_id=event.id, registration_id=registration.id)
        if outcome.ok and registration
        else "",
        "arrived": arrived,
        "expected": expected,
    }


def _describe(outcome: ScanOutcome, at: str) -> tuple[str, str]:
    result = outcome.result
    if result is ScanResult.WELCOME:
        return _("Welcome, %(name)s!", name=outcome.name), outcome.organisation
    if result is ScanResult.ALREADY_CHECKED_IN:
        detail = _("%(name)s is already checked in at %(time)s", name=outcome.name, time=at)
        if outcome.checked_in_by:
            detail += " " + _("by %(user)s", user=outcome.checked_in_by)
        if outcome.door:
            detail += " " + _("at door %(door)s", door=outcome.door)
        return _("Already checked in"), detail + "."
    if result is ScanResult.NOT_CONFIRMED:
        status = label(RegistrationStatus(outcome.reason)) if outcome.reason else ""
        return _("Not confirmed"), _(
            "%(name)s's registration is: %(status)s.", name=outcome.name, status=status
        )
    if result is ScanResult.WRONG_EVENT:
        return _("Wrong event"), _("This badge is for another event: %(title)s.", title=outcome.reason)
    return _("Invalid badge"), _(
        "This code is not a valid badge (forged, damaged or reprinted). Try the name search."
    )


def door_strings() -> dict[str, str]:
    """Strings the door page's script shows, translated here (the static script holds none)."""
    return {
        "network": _("No connection to the server. Scan again."),
        "error": _("The server could not handle this scan."),
        "undone": _("Check-in undone."),
        "undo": _("Undo this check-in"),
        "checkIn": _("Check in"),
        "checkedIn": _("Checked in"),
        "noResults": _("Nobody found."),
        "noCamera": _(
            "Camera scanning needs a browser with the BarcodeDetector API (Chrome on Android, for "
            "example). Use a handheld scanner or the name search here."
        ),
        "cameraStart": _("Scan with the camera"),
        "cameraStop": _("Stop the camera"),
        "cameraDenied": _("The camera could not be opened."),
    }
