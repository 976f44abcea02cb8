"""What the door shows: a scan outcome as the result panel's title and detail, in the user's language."""

from __future__ import annotations

from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from move_events.checkin.models import CheckInList, ScanResult
from move_events.checkin.queries import door_counts
from move_events.checkin.services import ScanOutcome
from move_events.events.models import Event
from move_events.labels import label
from move_events.registration.models import RegistrationStatus
from move_events.templating import local_datetime

TONES = {ScanResult.LEFT: "undone"}  # the result panel's style where a result has none of its own


def outcome_json(outcome: ScanOutcome, event: Event) -> dict:
    """The scan answer the door page's script (and the no-script page) shows."""
    registration = outcome.registration
    at = local_datetime(outcome.checked_in_at, event.timezone, "HH:mm") if outcome.checked_in_at else ""
    title, detail = _describe(outcome, at)
    return {
        "result": outcome.result.value,
        "ok": outcome.ok or outcome.result is ScanResult.LEFT,  # a good scan: the happy sound
        "tone": "welcome" if outcome.back else TONES.get(outcome.result, outcome.result.value),
        "title": title,
        "detail": detail,
        "name": outcome.name if outcome.result is not ScanResult.INVALID else "",
        "organisation": outcome.organisation,
        "role": label(registration.role) if registration else "",
        "checked_in_at": at,
        "registration_id": registration.id if registration else None,
        "undo_url": url_for(
            "checkin.registration_undo",
            event_id=event.id,
            registration_id=registration.id,
            list=outcome.checkin_list.id if outcome.checkin_list else None,
        )
        if outcome.ok and registration
        else "",
        "list": outcome.checkin_list.name if outcome.checkin_list else "",
        **counts_json(event, outcome.checkin_list),
    }


def counts_json(event: Event, checkin_list: CheckInList | None) -> dict[str, int]:
    """The live counter: arrived / expected at the event, and on the chosen list if there is one (a
    list expects every confirmed registration). One statement: every scan's answer carries it."""
    counts = door_counts(event, checkin_list)
    found = {"arrived": counts.arrived, "expected": counts.expected, "inside": counts.inside}
    if checkin_list is not None:
        found["list_arrived"], found["list_expected"] = counts.list_arrived, counts.expected
    return found


def _describe(outcome: ScanOutcome, at: str) -> tuple[str, str]:
    result = outcome.result
    if result is ScanResult.WELCOME:
        return _("Welcome, %(name)s!", name=outcome.name), outcome.organisation
    if result is ScanResult.ALREADY_CHECKED_IN and outcome.back:
        return _("Welcome back, %(name)s!", name=outcome.name), _("First checked in at %(time)s.", time=at)
    if result is ScanResult.ALREADY_CHECKED_IN:
        return _("Already checked in"), " ".join(_already_checked_in(outcome, at))
    if result is ScanResult.LEFT:
        return _("Goodbye, %(name)s!", name=outcome.name), _("Left at %(time)s.", time=at)
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


def _already_checked_in(outcome: ScanOutcome, at: str) -> list[str]:
    """Whole sentences (translators may reorder words within each): when, by whom and where, on which
    list."""
    sentences = [_("%(name)s is already checked in at %(time)s.", name=outcome.name, time=at)]
    who, door = outcome.checked_in_by, outcome.door
    if who and door:
        sentences.append(_("Checked in by %(user)s at door %(door)s.", user=who, door=door))
    elif who:
        sentences.append(_("Checked in by %(user)s.", user=who))
    elif door:
        sentences.append(_("Checked in at door %(door)s.", door=door))
    if outcome.checkin_list:
        sentences.append(_("List: %(list)s.", list=outcome.checkin_list.name))
    return sentences


def door_strings() -> dict[str, str]:
    """Strings the door page's script shows, translated here (the static script holds none)."""
    return {
        "network": _("No connection to the server. Scan again."),
        "error": _("The server could not handle this scan."),
        "undone": _("Check-in undone."),
        "entry": _("Entry"),
        "exit": _("Exit"),
        "undo": _("Undo this check-in"),
        "checkIn": _("Check in"),
        "checkOut": _("Check out"),
        "checkedIn": _("Checked in"),
        "noResults": _("Nobody found."),
        "noCamera": _(
            "This device has no camera the page may use. Use a handheld scanner or the name search."
        ),
        "cameraSlow": _(
            "This browser sends camera pictures to the server to read codes: hold the badge still."
        ),
        "cameraStart": _("Scan with the camera"),
        "cameraStop": _("Stop the camera"),
        "cameraDenied": _("The camera could not be opened."),
    }


def day_label(day: date | None) -> str:
    """A list's day as door staff read it ("Thursday, March 4, 2027"); "every day" if it has none."""
    return format_date(day, "full") if day else _("every day")


def list_label(checkin_list: CheckInList) -> str:
    return f"{checkin_list.name} · {day_label(checkin_list.day)}"
