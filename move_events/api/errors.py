"""Every API error is JSON ``{"code": 404, "status": "Not Found", "message": "…"}`` (plus ``errors``
for invalid fields), never an HTML page.

flask-smorest would register its JSON handler for every ``HTTPException`` of the whole application,
turning the staff pages' errors into JSON too. ``JsonErrorApi`` skips that; instead the handler is
registered per status code on the API's own blueprints (a blueprint's handler for a code outranks the
application's HTML one). Errors that happen before a URL matches a blueprint (an unknown path under
``/api/``, a method a route does not take) get the application's HTML page, which
``json_for_api_paths`` swaps for the JSON body after the fact.
"""

from __future__ import annotations

from typing import NoReturn

import marshmallow as ma
from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_smorest import Api
from flask_smorest import Blueprint as ResourceBlueprint
from flask_smorest import abort as smorest_abort
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES

API_PATH_PREFIX = "/api/"
URL_PREFIX = "/api/v1"
HANDLED_CODES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500)


class ErrorSchema(ma.Schema):
    """The body of every error response."""

    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "The HTTP status name"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = ma.fields.Dict(metadata={"description": "Invalid fields: location → field → messages"})


class JsonErrorApi(Api):
    """flask-smorest's Api without its application-wide error handler (see the module docstring)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


def api_abort(code: int, message: str, **kwargs) -> NoReturn:
    """Stop the request with a JSON error of ``code`` and a message for people."""
    smorest_abort(code, message=message, **kwargs)
    raise AssertionError("unreachable")  # smorest's abort always raises


def error_response(code: int, message: str, errors: dict | None = None) -> Response:
    body = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"), "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def handle_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if "message" in data:
        message = str(data["message"])
    elif code == 422:
        message = _("Some fields are invalid: see errors.")
    elif code == 500:
        message = _("Something went wrong on the server.")
    else:
        message = error.description or error.name
    response = error_response(code, message, errors)
    if code == 405 and (allowed := error.get_headers()):
        response.headers.update({k: v for k, v in allowed if k.lower() == "allow"})
    return response


def resource_blueprint(name: str, import_name: str, path: str, description: str) -> ResourceBlueprint:
    """A flask-smorest blueprint under /api/v1 whose errors are JSON."""
    blueprint = ResourceBlueprint(name, import_name, url_prefix=URL_PREFIX + path, description=description)
    for code in HANDLED_CODES:
        blueprint.register_error_handler(code, handle_http_exception)
    return blueprint


def json_for_api_paths(response: Response) -> Response:
    """An HTML error page under /api/ (a request no API route matched) becomes the JSON error."""
    if (
        request.path.startswith(API_PATH_PREFIX)
        and response.status_code >= 400
        and response.mimetype == "text/html"
    ):
        code = response.status_code
        name = default_exceptions[code].description if code in default_exceptions else ""
        json = error_response(code, name or "Error")
        routing = request.routing_exception
        if isinstance(routing, HTTPException):
            json.headers.update({k: v for k, v in routing.get_headers() if k.lower() == "allow"})
        return json
    return response
