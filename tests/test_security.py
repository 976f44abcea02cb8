"""Security headers and cookie flags on real responses (move_events/security.py, docs/security.md).

The browser side (Chromium reports no CSP violation and the pages' scripts still work) is in
tests/e2e/test_security_headers.py; here every HTML page of the app is also checked for the inline
code that the policy would block.
"""

from __future__ import annotations

import re

import pytest

from move_events.auth.models import Role
from move_events.config import DefaultConfig
from move_events.extensions import db as _db
from tests.support import PASSWORD, make_test_app
from tests.test_role_matrix import sample  # noqa: F401  (a sample value for every URL argument)


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_security_headers_on_a_public_page(client):
    response = client.get("/events/")
    csp = directives(response)
    assert csp["default-src"] == "default-src 'self'"
    assert csp["script-src"] == "script-src 'self'" and csp["style-src"] == "style-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # the test app runs on plain http


def test_security_headers_personal_link_pages_send_no_referrer(client, sample):  # noqa: F811
    for path in (f"/r/{sample['token']}", f"/r/{sample['token']}/meetings", "/r/not-a-token"):
        response = client.get(path)
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert "no-store" in response.headers["Cache-Control"], path
    assert client.get(f"/events/{sample['slug']}").headers["Referrer-Policy"] == (
        "strict-origin-when-cross-origin"
    )


def test_security_headers_camera_only_on_the_door_page(client, auth, sample):  # noqa: F811
    auth.login(Role.STAFF)
    door = client.get(f"/checkin/{sample['event_id']}")
    assert door.status_code == 200
    assert "camera=(self)" in door.headers["Permissions-Policy"]
    assert "camera=()" in client.get("/checkin/").headers["Permissions-Policy"]


def test_security_headers_hsts_when_cookies_are_https_only(database_url, db):
    app = make_test_app(database_url, SESSION_COOKIE_SECURE=True)
    try:
        response = app.test_client().get("/auth/login")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    finally:
        with app.app_context():
            _db.engine.dispose()


def test_security_cookies_are_secure_httponly_samesite_by_default(database_url, db):
    """The defaults (DefaultConfig) make session and remember cookies Secure, HttpOnly, SameSite=Lax;
    only the demo's instance/config.py turns Secure off, for plain http on 127.0.0.1."""
    names = ("SESSION_COOKIE", "REMEMBER_COOKIE")
    defaults = {f"{n}_{flag}": getattr(DefaultConfig, f"{n}_{flag}") for n in names for flag in
                ("SECURE", "HTTPONLY", "SAMESITE")}  # fmt: skip
    assert set(defaults.values()) == {True, "Lax"}
    app = make_test_app(database_url, **defaults)
    try:
        with app.app_context():
            from move_events.auth.services import create_user

            create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
            _db.session.commit()
        response = app.test_client().post(
            "/auth/login",
            data={"email": "organiser@example.org", "password": PASSWORD, "remember": "y"},
            base_url="https://localhost",
        )
        assert response.status_code == 302
        cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
        assert set(cookies) >= {"session", "remember_token"}
        for name, cookie in cookies.items():
            flags = {flag.strip().lower() for flag in cookie.split(";")[1:]}
            assert {"secure", "httponly", "samesite=lax"} <= flags, name
    finally:
        with app.app_context():
            _db.engine.dispose()


def html_pages(app, sample):  # noqa: F811
    """Every GET route of the HTML site with sample arguments (the JSON API under /api/ aside)."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.endswith("static") or rule.rule.startswith("/api/"):
            continue
        yield (
            rule.endpoint,
            rule.build({name: sample.get(name, 1) for name in rule.arguments}, append_unknown=False)[1],
        )


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


@pytest.mark.parametrize("role", [None, Role.ADMIN], ids=["anonymous", "admin"])
def test_security_every_html_page_is_free_of_inline_code(app, client, auth, sample, role):  # noqa: F811
    """No inline <script>, style="" attribute, on…= handler or javascript: URL on any page: the
    policy would block them (a <script type="application/json"> data block is not run, so allowed)."""
    if role is not None:
        auth.login(role)
    pages = 0
    for endpoint, path in html_pages(app, sample):
        response = client.get(path)
        if not response.content_type.startswith("text/html"):
            continue
        pages += 1
        html = response.get_data(as_text=True)
        body = html.split("<body", 1)[-1]
        for name, pattern in (("script", INLINE_SCRIPT), ("style", STYLE_ATTRIBUTE),
                              ("handler", HANDLER_ATTRIBUTE), ("javascript:", JS_URL)):  # fmt: skip
            match = pattern.search(body if name != "script" else html)
            assert match is None, f"{endpoint} ({path}): inline {name}: {match and match.group(0)}"
    assert pages >= (10 if role is None else 40)
