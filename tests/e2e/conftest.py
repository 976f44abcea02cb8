"""Browser tests: Debian's Chromium driven by Playwright against the app served on loopback.

Playwright must never download a browser: we launch the system's Chromium (/usr/bin/chromium, or
MOVE_EVENTS_CHROMIUM). Without it these tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
SCREENSHOTS = Path(os.environ.get("MOVE_EVENTS_SCREENSHOTS", "/tmp/move-events-screenshots"))


def chromium_path() -> str:
    path = os.environ.get("MOVE_EVENTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if Path(path).exists():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(
            "CI must run the browser tests, but Chromium is not installed (apt-get install chromium)."
        )
    pytest.skip("Browser tests need Chromium: sudo apt-get install chromium (or set MOVE_EVENTS_CHROMIUM).")
    return ""


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The test app served by a threaded Werkzeug server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{server.server_port}"
    base_url, app.config["BASE_URL"] = app.config["BASE_URL"], address  # mailed links lead here
    yield address
    app.config["BASE_URL"] = base_url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server, db, request):
    """A fresh browser context per test, phone-sized when the test is marked ``phone``."""
    phone = request.node.get_closest_marker("phone") is not None
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(base_url=live_server, viewport=viewport, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
