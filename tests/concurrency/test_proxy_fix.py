"""TRUSTED_PROXIES: behind a reverse proxy, links and addresses come from its X-Forwarded-* headers;
without it (the default) those headers are ignored, since anyone could send them."""

from __future__ import annotations

import pytest
from flask import request, url_for

from tests.support import make_test_app

FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "events.example.org",
    "X-Forwarded-For": "203.0.113.7",
}


def seen(app):
    @app.get("/_seen")
    def _seen():
        return {"url": url_for("events.public_list", _external=True), "addr": request.remote_addr}

    return app.test_client().get("/_seen", headers=FORWARDED).get_json()


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_headers_are_trusted_only_when_configured(tmp_path, proxies):
    app = make_test_app(
        f"sqlite:///{tmp_path}/proxy.sqlite", TRUSTED_PROXIES=proxies, BASE_URL="https://events.example.org"
    )
    answer = seen(app)
    if proxies:
        assert answer == {"url": "https://events.example.org/events/", "addr": "203.0.113.7"}
    else:
        assert answer["url"].startswith("http://localhost/") and answer["addr"] == "127.0.0.1"
