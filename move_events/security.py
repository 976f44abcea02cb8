"""Security headers, rate limits and log hygiene for every response (issue #7, docs/security.md).

``init_security`` runs once in the application factory, after the blueprints are registered:

- every response gets a Content-Security-Policy (no inline script, no inline style, no framing),
  ``X-Content-Type-Options``, a ``Referrer-Policy`` (``no-referrer`` on personal-link pages, whose URL
  is the participant's key), a ``Permissions-Policy`` (camera on the door page only) and, when cookies
  are HTTPS-only, ``Strict-Transport-Security``;
- login, public registration and "send my link again" are rate limited (Flask-Limiter, ``RATELIMIT_*``);
- the werkzeug and gunicorn access logs never show a personal-link token.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address

from move_events.extensions import limiter

# Pages use only the site's own scripts, styles and fonts. Images may also be data: URIs, which
# Bootstrap's own CSS uses for its icons (navbar toggler, select arrow, form validation marks).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-src 'self'; frame-ancestors 'none'"
)
# The outbox shows an e-mail's HTML in an iframe with ``sandbox=""`` (no script, no origin); a srcdoc
# frame inherits this page's policy, and e-mail HTML must carry its styles inline.
RELAXED_STYLE = {"outbox.message_detail": "style-src 'self' 'unsafe-inline'"}
# Only the door page uses the camera (badge scanning); no page uses the rest.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
CAMERA_ENDPOINTS = frozenset({"checkin.door"})
HSTS = "max-age=31536000"

RATE_LIMIT_DEFAULTS = {
    "RATELIMIT_STORAGE_URI": "memory://",  # one process; several gunicorn workers need redis://
    "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429
    "RATELIMIT_LOGIN": "10/minute",  # failed logins per IP address and e-mail
    "RATELIMIT_REGISTRATION": "20/hour",  # public registrations per IP address
    "RATELIMIT_LINK_REQUEST": "20/hour",  # "send my link again" per IP address
}

# A personal link is /r/<token>/...; the token is the participant's key and must not reach a log.
PERSONAL_LINK = re.compile(r"/r/[^/\s?\"']+")


def init_security(app: Flask) -> None:
    """Wire headers, rate limits, the 429 page and log redaction into ``app``."""
    for key, value in RATE_LIMIT_DEFAULTS.items():
        app.config.setdefault(key, value)
    # Tests run with limits off unless a test turns them on; production and the demo have them on.
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    limiter.init_app(app)
    _limit_views(app)
    app.after_request(add_security_headers)
    app.register_error_handler(429, too_many_requests)
    redact_access_logs()


def add_security_headers(response: Response) -> Response:
    """Headers every response carries; a view's own stricter choice (e.g. no-referrer) is kept."""
    endpoint = request.endpoint or ""
    policy = CONTENT_SECURITY_POLICY
    if endpoint in RELAXED_STYLE:
        policy = policy.replace("style-src 'self'", RELAXED_STYLE[endpoint])
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for old browsers
    personal = request.view_args is not None and "token" in request.view_args
    referrer = "no-referrer" if personal else "strict-origin-when-cross-origin"
    response.headers.setdefault("Referrer-Policy", referrer)
    camera = "camera=(self)" if endpoint in CAMERA_ENDPOINTS else "camera=()"
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY.replace("camera=()", camera))
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if personal:
        response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def too_many_requests(error: RateLimitExceeded):
    """A friendly page (or JSON under /api/) that says when to try again."""
    if request.path.startswith("/api/"):
        return jsonify(message=_("Too many requests: please wait a moment and try again.")), 429
    return render_template("errors/too_many_requests.html", error=error), 429


# --- rate limits ---------------------------------------------------------------------------------


def _login_key() -> str:
    """Failed logins count per IP address and e-mail: one attacker cannot lock out every user."""
    email = (request.form.get("email") or "").strip().lower()
    return f"{get_remote_address()}|{email}"


def _not_a_success(response: Response) -> bool:
    """A successful login redirects; only failed attempts (the form shown again) count."""
    return response.status_code != 302


LIMITED_VIEWS = (
    # endpoint, config key, key function, deduct_when
    ("auth.login", "RATELIMIT_LOGIN", _login_key, _not_a_success),
    ("registration.create", "RATELIMIT_REGISTRATION", get_remote_address, None),
    ("registration.request_link", "RATELIMIT_LINK_REQUEST", get_remote_address, None),
)
_limited: dict[str, object] = {}  # the limiter is one per process: wrap each view function once


def _limit_views(app: Flask) -> None:
    """Limit the POSTs of the public forms; the limit is read from the config at each request.

    Flask-Limiter checks a route's own limits in a wrapper around its view function: the wrapper
    replaces the view here, so the views themselves carry no decorator.
    """
    if not app.config["RATELIMIT_ENABLED"]:
        return
    for endpoint, key, key_func, deduct_when in LIMITED_VIEWS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        name = f"{view.__module__}.{view.__qualname__}"
        if name not in _limited:
            _limited[name] = limiter.limit(
                _config_value(key), key_func=key_func, methods=["POST"], deduct_when=deduct_when,
                scope=endpoint,
            )(view)  # fmt: skip
        app.view_functions[endpoint] = _limited[name]


def _limits_off() -> bool:
    """The limiter object is shared by every app of the process (tests make several): each app's
    own RATELIMIT_ENABLED decides, not the last app set up."""
    return not current_app.config.get("RATELIMIT_ENABLED")


limiter.request_filter(_limits_off)


def _config_value(key: str):
    return lambda: current_app.config[key]


# --- logs ----------------------------------------------------------------------------------------


class RedactPersonalLinks(logging.Filter):
    """Replace personal-link tokens in a log record's message by ``/r/…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = PERSONAL_LINK.sub("/r/[token]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_FILTER = RedactPersonalLinks()


def redact_access_logs() -> None:
    """Access logs (werkzeug's in development, gunicorn's in production) print every URL."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
