"""Configuration: defaults here, then instance/config.py, then MOVE_EVENTS_* environment variables.

Environment variables are parsed as JSON where they can be (``MOVE_EVENTS_MAIL_PORT=25`` is an int),
as Flask's ``from_prefixed_env`` does; nested keys use a double underscore.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

DEMO_BASE_URL = "http://127.0.0.1:5000"  # where ``make run`` serves the demo
# Keys that were published somewhere (the example config, the tests, the dev fallback): never secret.
PLACEHOLDER_SECRET_KEYS = frozenset(
    {"change-me", "changeme", "dev-only-not-secret", "test-secret-key", "secret", "dev", "..."}
)
MIN_SECRET_KEY_BYTES = 32
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_hex())'"
# Always trusted besides BASE_URL's host: the demo, the tests and a health check on the machine itself.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
# BASE_URL on one of these is an address to listen on, not one browsers use: no Host check then.
LISTEN_ALL = frozenset({"0.0.0.0", "::"})

log = logging.getLogger(__name__)


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
    # The site's public address: every link in an e-mail, an .ics or a printed document starts with it,
    # whatever address a request came to (a forged Host header must not reach a participant's mailbox).
    # Required when cookies are HTTPS-only (production); the demo falls back to DEMO_BASE_URL.
    BASE_URL: str | None = None
    # Host names a request may be addressed to (Flask's TRUSTED_HOSTS; another Host header gets a 400).
    # None: BASE_URL's host plus LOCAL_HOSTS. A name starting with a dot accepts its subdomains.
    TRUSTED_HOSTS: list[str] | None = None

    # The largest request body (bytes): a 2 MB CSV import with its form, a camera frame (1.5 MB) at the
    # door. Anything bigger is refused (413) before it is read. Keep the proxy's limit the same.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024

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
    # Scheduler runs (meetings/scheduler_jobs.py): in a thread of the web process, or (False) left queued
    # for `flask --app move_events meetings run-jobs`; re-queued / failed like print jobs.
    SCHEDULER_JOBS_IN_THREAD = True
    SCHEDULER_JOB_STALE_MINUTES = 10
    SCHEDULER_JOB_MAX_ATTEMPTS = 2


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
    check_secret_key(app)
    resolve_base_url(app)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = default_trusted_hosts(app.config["BASE_URL"])


def check_secret_key(app: Flask) -> None:
    """Outside debug and tests, refuse a missing, published or short SECRET_KEY.

    The key signs sessions, personal links and badges: anyone who knows it can forge them, and a key
    copied from the example config or guessed from a short word is known.
    """
    key = app.config.get("SECRET_KEY")
    if app.debug or app.testing:
        if not key:
            app.config["SECRET_KEY"] = "dev-only-not-secret"
        return
    if not key:
        raise ConfigError(
            "SECRET_KEY is not set. Put SECRET_KEY = '...' in instance/config.py or set "
            f"MOVE_EVENTS_SECRET_KEY; make one with {MAKE_A_KEY}"
        )
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    if text.strip().lower() in PLACEHOLDER_SECRET_KEYS:
        raise ConfigError(
            f"SECRET_KEY is the placeholder {text!r}, which is public: replace it with a random key, "
            f"made with {MAKE_A_KEY}"
        )
    size = len(key) if isinstance(key, bytes) else len(text.encode())
    if size < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"SECRET_KEY is too short ({size} bytes, at least {MIN_SECRET_KEY_BYTES}): replace it with "
            f"a random key, made with {MAKE_A_KEY}"
        )


def resolve_base_url(app: Flask) -> None:
    """Check BASE_URL (http(s)://host[:port][/prefix]); without it, fall back to the demo's address.

    With HTTPS-only cookies (the production default) the site is served at a public address that the
    app cannot guess: it refuses to start rather than mail links to http://127.0.0.1:5000.
    """
    base_url = (app.config.get("BASE_URL") or "").strip()
    if not base_url:
        production = not (app.debug or app.testing) and app.config.get("SESSION_COOKIE_SECURE")
        if production:
            raise ConfigError(
                "BASE_URL is not set: e-mailed links would not reach the site. Set BASE_URL (or "
                "MOVE_EVENTS_BASE_URL) to the public address, e.g. https://events.example.org"
            )
        base_url = DEMO_BASE_URL
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"BASE_URL {base_url!r} is not an address such as https://events.example.org")
    app.config["BASE_URL"] = base_url.rstrip("/")


def default_trusted_hosts(base_url: str) -> list[str] | None:
    """BASE_URL's host and the local names; None (no check) when BASE_URL is a listen-on-all address."""
    host = urlsplit(base_url).hostname or ""
    if host in LISTEN_ALL:
        log.warning("BASE_URL %s is not a public address: requests' Host headers are not checked", base_url)
        return None
    return list(dict.fromkeys((host, *LOCAL_HOSTS)))
