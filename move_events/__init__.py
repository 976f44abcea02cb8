"""MOVE Events: registration, B2B meetings, badges, check-in and KPI reports for a cluster partnership."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from move_events.config import apply_proxy_fix, load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: ``flask --app move_events ...`` and ``wsgi.py`` both call it."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    load_config(app, test_config)
    apply_proxy_fix(app)  # TRUSTED_PROXIES: X-Forwarded-* from a reverse proxy (docs/production.md)
    register_url_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_request_guards(app)
    from move_events.security import init_security  # headers, rate limits (docs/security.md)

    init_security(app)
    register_commands(app)
    return app


def register_url_converters(app: Flask) -> None:
    from move_events.routing import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter


def register_extensions(app: Flask) -> None:
    from move_events import models  # noqa: F401  (every model known before migrations run)
    from move_events.auth.services import load_user
    from move_events.db_types import render_migration_item
    from move_events.extensions import babel, bootstrap, csrf, db, login_manager, mail, migrate
    from move_events.i18n import select_locale
    from move_events.outbox import delivery as outbox

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    mail.init_app(app)
    outbox.init_app(app)  # delivers mail queued by a request right after it, in the background
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.user_loader(load_user)


BLUEPRINTS = (
    "auth",
    "events",
    "directory",
    "outbox",
    "registration",
    "badges",
    "checkin",
    "meetings",
    "reports",
    "api",
)
VIEW_MODULES = {
    "meetings": ("participant_views", "organiser_views", "outcome_views", "agenda_views"),
    "registration": ("views", "organiser_views"),
    "badges": ("views", "job_views"),
    "checkin": ("views", "list_views"),
}  # default: ("views",)


def register_blueprints(app: Flask) -> None:
    """Import each blueprint's views (which attach the routes), then register the blueprint.

    Views are imported here rather than in the packages' ``__init__`` so that importing a package's
    models never pulls in views and forms (which import models from everywhere): no import cycles.
    """
    from importlib import import_module
    from importlib.util import find_spec

    for name in BLUEPRINTS:
        package = import_module(f"move_events.{name}")
        for module in VIEW_MODULES.get(name, ("views",)):
            import_module(f"move_events.{name}.{module}")
        if find_spec(f"move_events.{name}.cli") is not None:  # commands attach to bp.cli
            import_module(f"move_events.{name}.cli")
        app.register_blueprint(package.bp)


def register_template_helpers(app: Flask) -> None:
    from move_events.templating import init_templating

    init_templating(app)


def register_errorhandlers(app: Flask) -> None:
    from contextlib import nullcontext

    from flask import render_template
    from flask.globals import request_ctx

    from move_events.errors import json_error, wants_json
    from move_events.extensions import db as _db
    from move_events.outbox.services import email_url_context

    def render_error(error):
        code = getattr(error, "code", 500)
        # After a failed flush the session refuses every query until rolled back, and the page (its
        # layout reads the current user) would fail in turn: nothing of the failed request is kept.
        _db.session.rollback()
        if wants_json():  # the door's script, and any client asking for JSON (see errors.py)
            return json_error(code, error)
        # A Host outside TRUSTED_HOSTS (a 400) leaves the request without URLs: the page links to BASE_URL.
        urls = email_url_context() if request_ctx.url_adapter is None else nullcontext()
        with urls:
            return render_template("errors/error.html", error=error, code=code), code

    for code in (400, 403, 404, 405, 413, 500):  # 413: a body over MAX_CONTENT_LENGTH (config.py)
        app.register_error_handler(code, render_error)

    from flask import jsonify, request
    from sqlalchemy.exc import OperationalError

    from move_events.db_types import is_transient_conflict
    from move_events.extensions import db

    def transient_conflict(error: OperationalError):
        """A deadlock or serialization failure lost to a concurrent request: nothing was saved, so say
        so (409) rather than "something went wrong" (500). Other database errors stay 500s."""
        if not is_transient_conflict(error):
            raise error
        db.session.rollback()
        if request.path.startswith("/api/"):
            message = "A concurrent change got in the way; nothing was saved. Please try again."
            return jsonify(code=409, status="Conflict", message=message), 409
        if wants_json():
            return json_error(409)
        return render_template("errors/error.html", error=error, code=409), 409

    app.register_error_handler(OperationalError, transient_conflict)


def register_request_guards(app: Flask) -> None:
    from move_events.routing import refuse_unusable_text

    app.before_request(refuse_unusable_text)


def register_commands(app: Flask) -> None:
    from move_events.cli import register

    register(app)
