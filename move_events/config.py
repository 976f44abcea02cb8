"""Configuration: defaults here, then instance/config.py, then MOVE_EVENTS_* environment variables.

Environment variables are parsed as JSON where they can be (``MOVE_EVENTS_MAIL_PORT=25`` is an int),
as Flask's ``from_prefixed_env`` does; nested keys use a double underscore.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask


class ConfigError(RuntimeError):
    """The configuration cannot run safely (e.g. production without a SECRET_KEY)."""


class DefaultConfig:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Sessions and cookies: secure by default; the demo on http://127.0.0.1 turns this off.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # a form left open on a registration desk must still submit

    # Front-end assets are served from the installed Bootstrap-Flask package, never a CDN:
    # the door's network may be down.
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_STYLE = "primary"

    LANGUAGES = ["en", "fr", "es", "pt", "bg", "it"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent.parent / "translations")

    # Target countries of the partnership (ISO 3166 alpha-2); events may target one of them or none.
    TARGET_COUNTRIES = ["MA", "BR"]

    # Without MAIL_SERVER, messages stay in the outbox, readable by admins.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "MOVE Events <noreply@localhost>"
    MAIL_TIMEOUT = 30  # seconds before an SMTP attempt counts as failed (and is retried later)
    # Deliver what a request queued right after it, in a background thread (the worker retries).
    OUTBOX_DELIVER_AFTER_REQUEST = True
    # The site's public address, for links in e-mails queued outside a request (CLI, outbox worker).
    BASE_URL = "http://127.0.0.1:5000"

    PER_PAGE = 25

    # Behind a reverse proxy (nginx, Caddy) that sets X-Forwarded-For/-Proto/-Host/-Prefix: how many
    # proxies in front of the app to trust. 0 (default): reached directly, those headers are ignored
    # (anyone could forge them). See docs/production.md.
    TRUSTED_PROXIES = 0

    # Participants' personal links (no passwords) stop working after this many days; they can ask
    # for a new one from the event page.
    PERSONAL_LINK_MAX_AGE_DAYS = 180

    # Meeting requests: an unanswered request expires after this many days (or when the event starts,
    # whichever comes first); a participant may have this many unanswered requests out at once.
    MEETING_REQUEST_EXPIRY_DAYS = 7
    MEETING_OPEN_REQUESTS_CAP = 20

    # Print jobs (badges, agendas: docs/badges-and-checkin.md). In a background thread of the web process
    # unless False (then run `flask badges run-jobs`); chunks render in this many worker processes (None:
    # min(2, CPUs); 1: in the job's own process); a job without a heartbeat for this long is re-queued,
    # and failed after this many attempts.
    BADGE_JOBS_IN_THREAD = True
    PRINT_JOB_PROCESSES = None
    PRINT_JOB_STALE_MINUTES = 10
    PRINT_JOB_MAX_ATTEMPTS = 2


def apply_proxy_fix(app: Flask) -> None:
    """Trust ``TRUSTED_PROXIES`` reverse proxies' X-Forwarded-* headers (werkzeug's ProxyFix).

    Without it, behind a TLS-terminating proxy the app sees http:// and the proxy's address: links in
    e-mails would start with http://, and rate limits would count every visitor as one.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        trusted = dict.fromkeys(("x_for", "x_proto", "x_host", "x_prefix"), proxies)
        app.wsgi_app = ProxyFix(app.wsgi_app, **trusted)


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill ``app.config`` in the documented order and refuse unsafe production settings."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("MOVE_EVENTS")
    if test_config is not None:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/move_events.sqlite"
    if not app.config.get("SECRET_KEY"):
        if app.debug or app.testing:
            app.config["SECRET_KEY"] = "dev-only-not-secret"
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Put SECRET_KEY = '...' in instance/config.py or set "
                "MOVE_EVENTS_SECRET_KEY (e.g. python -c 'import secrets; print(secrets.token_hex())')."
            )
