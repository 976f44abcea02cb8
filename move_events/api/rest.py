"""The flask-smorest ``Api`` of /api/v1: set up when the ``api`` blueprint is registered.

The OpenAPI document is generated from the resource blueprints' schemas and served at
``/api/v1/openapi.json``; no Swagger UI (it would come from a CDN). Every resource blueprint is
exempt from CSRF (no cookie is ever accepted: ``auth``) and answers errors in JSON (``errors``).
"""

from __future__ import annotations

from flask import Flask
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.routing import IntegerConverter

from move_events.api.errors import URL_PREFIX, JsonErrorApi, json_for_api_paths
from move_events.api.schemas import MAX_ID


class IdConverter(IntegerConverter):
    """``<id:event_id>``: a database id, 1 to 2**31 - 1; anything else is a 404 before the database
    sees it (PostgreSQL's INTEGER refuses larger numbers with an error, which would be a 500)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.update(min=1, max=MAX_ID)
        super().__init__(map, *args, **kwargs)


API_CONFIG = {
    "API_TITLE": "MOVE Events API",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": URL_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Events, registrations, check-in, meetings and the KPI report of MOVE Events. "
            "Authenticate with `Authorization: Bearer <token>` (see docs/api.md)."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}


def resource_blueprints():
    from move_events.api import checkin, events, meetings, registrations, reports

    return [module.blp for module in (events, registrations, checkin, meetings, reports)]


def init_rest_api(state: BlueprintSetupState) -> None:
    """Called once per application, when the ``api`` blueprint is registered."""
    from move_events.extensions import csrf

    app: Flask = state.app
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    app.url_map.converters["id"] = IdConverter
    rest = JsonErrorApi(app)
    docs = app.blueprints.get(rest._make_doc_blueprint_name())
    for blueprint in resource_blueprints():
        csrf.exempt(blueprint)
        rest.register_blueprint(blueprint)
    if docs is not None:
        csrf.exempt(docs)
    app.after_request(json_for_api_paths)
    app.extensions["move_events_api"] = rest
