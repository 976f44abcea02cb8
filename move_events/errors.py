"""Which form an error takes: the HTML page for people, JSON for scripts.

The door page's script (static/js/checkin.js) reads every answer as JSON, errors too; a 400 HTML page
(say, a NUL byte refused by ``routing.refuse_unusable_text``, or an expired CSRF token) would leave it
nothing to read. An error answers JSON — the API's shape, ``{"code", "status", "message"}`` — when
the request sent JSON, asks for JSON first (``Accept: application/json``), names a ``.json`` path, or
went to a view marked ``json_only`` (one that never answers anything else). The API's own blueprints
have their own handlers (``api.errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from move_events.api.errors import API_PATH_PREFIX, error_response

View = TypeVar("View", bound=Callable)


def json_only(view: View) -> View:
    """Mark a view whose every answer is JSON: its errors are JSON too, whatever the request asked."""
    view.json_only = True  # type: ignore[attr-defined]
    return view


def wants_json() -> bool:
    if request.path.startswith(API_PATH_PREFIX):
        return False  # the API's errors are its own (``api.errors``), with their own messages
    if request.is_json or request.path.endswith(".json"):
        return True
    if request.accept_mimetypes.best == "application/json":
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "json_only", False))


def json_error(code: int, error: Exception | None = None) -> Response:
    """The error as JSON, with the sentence the HTML error page shows (and a 405's Allow header)."""
    response = error_response(code, _message(code))
    if isinstance(error, HTTPException):
        response.headers.update({k: v for k, v in error.get_headers() if k.lower() == "allow"})
    return response


def _message(code: int) -> str:
    if code == 403:
        return _("Your role does not allow this page. Ask an organiser or an admin if you need it.")
    if code == 404:
        return _("The page or the item you asked for does not exist, or is not public.")
    if code == 400:
        return _("The request could not be understood. If you sent a form, reload the page and try again.")
    if code == 405:
        return _("Method not allowed")
    if code == 409:
        return _("Nothing was saved. Please go back and try again.")
    if code == 413:
        return _("Nothing was saved: the form or the file you sent is larger than the site accepts.")
    return _("Please try again. If it keeps happening, tell the organisers.")
