"""The migrations build, on an empty database, exactly the schema the models describe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from move_events.extensions import db
from tests.support import make_test_app


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A database of its own, apart from the suite's: migrations must start from nothing."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/migrations.sqlite"
        return
    url = make_url(database_url)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_upgrade_empty_database_matches_models(empty_database_url):
    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_migrations_downgrade_to_base_and_upgrade_again(empty_database_url):
    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "registrations" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def _check_constraints(engine) -> dict[tuple[str, str], str]:
    inspector = inspect(engine)
    return {
        (table, check["name"]): " ".join(check["sqltext"].split())
        for table in inspector.get_table_names()
        if table != "alembic_version"
        for check in inspector.get_check_constraints(table)
    }


def test_migrations_build_the_models_check_constraints(empty_database_url, tmp_path):
    """compare_metadata does not look at CHECK constraints (enum values, caps >= 1): compare them with
    what the models create, on the same kind of database."""
    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        migrated = _check_constraints(db.engine)
        db.engine.dispose()
    if empty_database_url.startswith("sqlite"):
        fresh_url = f"sqlite:///{tmp_path}/models.sqlite"
    else:
        fresh_url = empty_database_url  # the same database, emptied
    engine = create_engine(fresh_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.metadata.create_all(engine)
    modelled = _check_constraints(engine)
    engine.dispose()
    assert migrated == modelled
    assert ("meetings", "ck_meetings_meeting_status") in migrated


def test_expired_requests_are_kept_through_a_downgrade_and_upgrade(empty_database_url):
    """Before migration 9d41c7e2a5f3 an expired request was stored as cancelled without an answer."""
    from move_events.meetings.models import MeetingStatus
    from tests.meetings.planning_support import brokerage, meeting_between, person_at

    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        event = brokerage()
        a, b, c = (person_at(event) for _ in range(3))
        expired = meeting_between(a, b, status=MeetingStatus.EXPIRED)
        expired.expires_at = event.starts_at
        cancelled = meeting_between(a, c, status=MeetingStatus.CANCELLED)
        cancelled.responded_at, cancelled.expires_at = event.starts_at, event.starts_at
        db.session.commit()
        ids = {"expired": expired.id, "cancelled": cancelled.id}
        db.session.remove()

        def statuses() -> dict[str, str]:
            with db.engine.connect() as connection:
                found = dict(connection.execute(text("SELECT id, status FROM meetings")).all())
            return {name: found[meeting_id] for name, meeting_id in ids.items()}

        downgrade(revision="6e2f4b8c1d07")
        assert statuses() == {"expired": "cancelled", "cancelled": "cancelled"}
        upgrade()
        assert statuses() == {"expired": "expired", "cancelled": "cancelled"}
        db.engine.dispose()
