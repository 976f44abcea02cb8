"""Schemathesis fuzzes every operation of the document, in-process against the WSGI app, with a valid
write token of an admin and data in place: no 500, and every response as documented (status code,
content type, body schema). Bounded and deterministic: a fixed number of examples per operation,
derandomized, so a failure is reproducible and the run stays short on both databases."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from move_events.api.errors import URL_PREFIX
from move_events.api.models import ApiScope
from move_events.api.tokens import create_api_token
from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.checkin.models import CheckIn, CheckInList
from move_events.db_types import utcnow
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.registration.models import Registration
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


# Schemathesis draws strings its own way; these are the characters that made 500s before (issue #13):
# NUL (PostgreSQL refuses it), unpaired surrogates (no database encodes them), and the spaces, line
# separators and invisible marks that slipped through the e-mail check and failed in the outbox.
HOSTILE_TEXT = st.text(alphabet="aZé@.-\x00\ud800\udfff\u00a0\u2028\u2029\u200b\ufeff", max_size=16)
# An address shaped name@domain.tld, so that the hostile characters get past the shape check.
HOSTILE_EMAIL = st.builds("{}@{}.{}".format, *[HOSTILE_TEXT.filter(lambda part: part.strip("@."))] * 3)
TEXT_BODIES = {
    "registrations/": {
        "given_name": HOSTILE_TEXT,
        "email": st.one_of(HOSTILE_EMAIL, HOSTILE_TEXT),
        **dict.fromkeys(("family_name", "phone", "job_title", "offers", "requests"), HOSTILE_TEXT),
    },
    "checkin/": dict.fromkeys(("token", "nonce", "door"), HOSTILE_TEXT),
}


def _stored() -> tuple[int, int, int]:
    return tuple(
        _db.session.scalar(_db.select(_db.func.count()).select_from(m))
        for m in (Person, Registration, CheckIn)
    )


@pytest.mark.parametrize("resource", TEXT_BODIES)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_api_refuses_unusable_text_with_a_json_error(app, write_token, resource, data):
    """Any JSON text field with NUL, a lone surrogate or an odd space: a 4xx in the API's error format
    that stores nothing, or a success; never a 500."""
    fields = TEXT_BODIES[resource]
    body = data.draw(st.fixed_dictionaries({}, optional=fields))
    with app.app_context():
        event_id = _db.session.scalar(_db.select(_db.func.min(Event.id)))
        before = _stored()
    response = app.test_client().post(
        f"{URL_PREFIX}/events/{event_id}/{resource}",
        data=json.dumps(body),  # ASCII: lone surrogates go as \\ud800 escapes, as clients send them
        headers={"Authorization": f"Bearer {write_token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        error = response.get_json()
        assert error["code"] == response.status_code and error["message"]
        with app.app_context():
            assert _stored() == before
