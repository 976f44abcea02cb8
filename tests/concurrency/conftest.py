"""Fixtures of the concurrency tests: the app served by gunicorn (several worker processes) on the
test's PostgreSQL database, and users who log in through the real login form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from move_events.auth.models import Role, User
from move_events.auth.services import create_user
from tests.concurrency.live import Browser, Gunicorn
from tests.support import PASSWORD

WORKERS = 4  # several processes, so that requests really run at the same time (2 cores here)


@pytest.fixture(scope="session")
def server(app: Flask, database_url: str, tmp_path_factory) -> Iterator[Gunicorn]:
    """One gunicorn for the session's tests; each test's ``db`` fixture empties the tables under it.

    The test process and the server share SECRET_KEY, so that badge tokens and personal links made in a
    test are valid on the server.
    """
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with Gunicorn(
        database_url=database_url, secret_key=app.config["SECRET_KEY"], workers=WORKERS, log_path=log_path
    ) as gunicorn:
        yield gunicorn


def logged_in(server: Gunicorn, db, role: Role, email: str) -> tuple[Browser, User]:
    """A browser logged in as a new user of ``role`` (made in the database, then the login form)."""
    user = create_user(email=email, password=PASSWORD, role=role, name=email.split("@")[0])
    db.session.commit()
    browser = Browser(server.base_url)
    browser.login(email, PASSWORD)
    return browser, user
