"""Schemathesis fuzzes every operation of the document, in-process against the WSGI app, with a valid
write token of an admin and data in place: no 500, and every response as documented (status code,
content type, body schema). Bounded and deterministic: a fixed number of examples per operation,
derandomized, so a failure is reproducible and the run stays short on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from move_events.api.errors import URL_PREFIX
from move_events.api.models import ApiScope
from move_events.api.tokens import create_api_token
from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.checkin.models import CheckInList
from move_events.db_types import utcnow
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingStatus
from tests.conftest import clear_database
from tests.factories import make_event, register
from tests.reports.helpers import build_scenario
from tests.support import PASSWORD, make_test_app

EXAMPLES_PER_OPERATION = 20
# Operations with a rule across fields that JSON Schema cannot state (the report's date_to must not be
# before date_from): a request valid field by field may be refused there with 422, as documented.
CROSS_FIELD_RULES = {"/api/v1/reports/events", "/api/v1/reports/stakeholders"}


def _document() -> dict:
    """The document as the app serves it (it depends on the code only, not on a database)."""
    document_app = make_test_app("sqlite://")
    return document_app.test_client().get(f"{URL_PREFIX}/openapi.json").get_json()


# Loaded at import: schema.parametrize() makes one test per operation when tests are collected.
schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def write_token(app) -> str:
    """An admin's write token, with a little of everything to find in the database."""
    with app.app_context():
        clear_database()
        admin = create_user(email="admin@example.org", password=PASSWORD, role=Role.ADMIN, name="Admin")
        _token, secret = create_api_token(user=admin, name="fuzz", scope=ApiScope.WRITE)
        event = make_event(published=True, created_by=admin)
        first, second = register(event), register(event)
        _db.session.add_all(
            [
                CheckInList(event=event, name="Day 1"),
                Meeting(event=event, requester=first, counterpart=second, status=MeetingStatus.SCHEDULED,
                        slot_start=utcnow().replace(microsecond=0) - timedelta(hours=1), table_no=1),
            ]
        )  # fmt: skip
        build_scenario()
        _db.session.commit()
    yield secret
    with app.app_context():
        _db.session.remove()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_document(case, app, write_token):
    case.operation.schema.app = (
        app  # this run's app (SQLite or PostgreSQL): checks that replay requests send them here
    )
    excluded = [checks.positive_data_acceptance] if case.operation.path in CROSS_FIELD_RULES else []
    case.call_and_validate(
        app=app, headers={"Authorization": f"Bearer {write_token}"}, excluded_checks=excluded
    )
