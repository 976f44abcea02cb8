"""A request that loses a deadlock to a concurrent one: nothing saved, said as such (409), not a 500."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from tests.support import make_test_app


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


@pytest.fixture
def conflict_app():
    app = make_test_app("sqlite://")

    @app.route("/collide/<sqlstate>")
    @app.route("/api/v1/collide/<sqlstate>")
    def collide(sqlstate: str):
        raise OperationalError("UPDATE meetings …", {}, _DriverError(sqlstate))

    yield app
    from move_events.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])  # deadlock detected, serialization failure
def test_a_lost_deadlock_is_a_409_saying_nothing_was_saved(conflict_app, sqlstate):
    client = conflict_app.test_client()
    page = client.get(f"/collide/{sqlstate}")
    assert page.status_code == 409
    assert "Nothing was saved. Please go back and try again." in page.get_data(as_text=True)
    api = client.get(f"/api/v1/collide/{sqlstate}")
    assert api.status_code == 409 and api.get_json()["code"] == 409


def test_other_database_errors_stay_500s(conflict_app):
    conflict_app.config["PROPAGATE_EXCEPTIONS"] = False
    assert conflict_app.test_client().get("/collide/08006").status_code == 500  # connection failure
