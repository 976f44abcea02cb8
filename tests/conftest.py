"""Fixtures: the app against SQLite and PostgreSQL, a clean database per test, a client, logins.

Every test that uses the database runs twice: once on a SQLite file and once on PostgreSQL. The
PostgreSQL run needs MOVE_EVENTS_TEST_POSTGRES_URL (``.ci/run`` starts a throw-away server and sets
it); elsewhere those runs skip with that reason, and in CI (CI=true) its absence is an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from move_events.auth.models import Role, User
from move_events.auth.services import create_user, find_user
from move_events.extensions import db as _db
from tests.smtp import smtp_server  # noqa: F401  (a real SMTP server on loopback, for any test)
from tests.support import PASSWORD, make_test_app

POSTGRES_ENV = "MOVE_EVENTS_TEST_POSTGRES_URL"
ROOT = Path(__file__).resolve().parent.parent

# CI explores the same examples on every run (a red CI is then reproducible, never a coin toss);
# local runs keep exploring new random examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the suite on PostgreSQL too, but {POSTGRES_ENV} is not set.")
    pytest.skip(
        f"PostgreSQL run skipped: set {POSTGRES_ENV}=postgresql+psycopg://user@host:port/db "
        "(.ci/run starts a throw-away server and sets it)."
    )
    return None


def pytest_configure(config: pytest.Config) -> None:
    compile_catalogues()


def compile_catalogues() -> None:
    """Compile translations/*.po into .mo where stale, as `make compile-translations` does, so that a plain
    `pytest` sees the current translations. Atomic (write, then rename): xdist workers do this at once."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as file:
            catalog = read_po(file, locale=po_path.parent.parent.name)
        partial = mo_path.with_name(f"messages.{os.getpid()}.mo.part")
        with partial.open("wb") as file:
            write_mo(file, catalog)
        os.replace(partial, mo_path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres_only`` (races that SQLite's whole-file lock cannot have) are not
    collected for the SQLite run at all, rather than skipped."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("database_url") == "sqlite"
        (drop if on_sqlite and item.get_closest_marker("postgres_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/test.sqlite"  # one per worker already
        return
    url = postgres_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # `make test` runs the suite in parallel (pytest-xdist)
    if not worker:
        yield url
        return
    with worker_database(url, worker) as own:
        yield own


@contextmanager
def worker_database(url: str, worker: str) -> Iterator[str]:
    """A PostgreSQL database of this xdist worker's own, next to the given one, dropped afterwards:
    workers empty their tables before every test and must not empty each other's."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


def clear_database() -> None:
    """Empty every table (the schema stays): each test starts from an empty database."""
    _db.session.remove()
    tables = _db.metadata.sorted_tables
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def db(app: Flask):
    """The database, empty at the start of the test, inside an application context."""
    with app.app_context():
        clear_database()
        yield _db
        _db.session.remove()


class FreshContextClient(FlaskClient):
    """Each request in an application context of its own, as in production.

    The ``db`` fixture holds an app context for the test body; without this, requests would reuse it
    and share ``g`` (the logged-in user, the locale) and the database session with the test and with
    each other, which can hide bugs.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        # A body over 500 KB is spooled to a temporary file that Werkzeug closes only with
        # response.close() (pallets/werkzeug#2041), which tests rarely call: close it here, or its
        # ResourceWarning fails whichever test runs when the garbage collector finds it.
        response.request.input_stream.close()
        return response


@pytest.fixture
def client(app: Flask, db) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask, db):
    return app.test_cli_runner()


class AuthActions:
    """Log in as a user of a given role (created on first use), as flaskr's tests do."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def user(self, role: str | Role = Role.ORGANISER) -> User:
        role = Role(role)
        email = f"{role.value}@example.org"
        user = find_user(email)
        if user is None:
            user = create_user(email=email, password=PASSWORD, role=role, name=role.value.title())
            _db.session.commit()
        return user

    def login(self, role: str | Role = Role.ORGANISER):
        user = self.user(role)
        response = self.client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
