"""Hostile input is a clear 4xx (or a list that ignores a bad filter), never a 500, and nothing is stored:
NUL characters in URL segments and JSON, unpaired surrogates in JSON, e-mail addresses with no-break or
line separators, unknown filter values. And the error page itself works after a failed flush."""

from __future__ import annotations

import json

import pytest
from flask_login import current_user
from sqlalchemy import func, select

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from move_events.checkin.models import CheckIn
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.extensions import db as _db
from move_events.registration.models import Registration
from tests.api.conftest import ApiClient, assert_error
from tests.factories import participant_at, token_for
from tests.meetings.requests_support import meeting_event
from tests.support import PASSWORD, make_test_app


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def event(auth):
    return meeting_event(created_by=auth.user(Role.ORGANISER))


@pytest.mark.parametrize(
    "path",
    [
        "/events/hydrogen%00day",
        "/r/abc%00def/marketplace",
        "/r/abc%00def",
        "/manage/events/1/registrations/%00",
        "/api/v1/events/%00",
    ],
)
def test_nul_in_a_url_segment_is_400(client, auth, path):
    auth.login(Role.ADMIN)
    assert client.get(path).status_code == 400


def test_nul_in_an_api_url_segment_is_the_apis_json_error(client, auth):
    api = ApiClient(client, auth)
    assert_error(api.get("/api/v1/events/1/registrations/%00", api.token(Role.ADMIN)), 400)


@pytest.mark.parametrize(
    "body",
    [
        '{"token": "abc\\u0000def", "nonce": "n-1"}',
        '{"token": "abc", "nonce": "n-\\u0000"}',
        '{"token": "abc\\ud800", "nonce": "n-2"}',
        '{"token": "abc", "nonce": "\\udfff"}',
        '{"token": "abc", "nonce": "n-3", "door": ["North", {"\\ud83d": 1}]}',
    ],
)
def test_door_scan_with_nul_or_lone_surrogate_in_json_is_400_and_logs_nothing(client, auth, event, body):
    auth.login(Role.STAFF)
    response = client.post(f"/checkin/{event.id}/scan", data=body, content_type="application/json")
    assert response.status_code == 400
    assert count(CheckIn) == 0


def test_a_paired_surrogate_escape_is_ordinary_text(client, auth, event):
    auth.login(Role.STAFF)
    body = '{"token": "abc", "nonce": "n-\\ud83d\\ude00"}'  # 😀, escaped as a pair: valid JSON text
    response = client.post(f"/checkin/{event.id}/scan", data=body, content_type="application/json")
    assert response.status_code == 200 and response.get_json()["result"] == "invalid"


NEW = {"given_name": "Salma", "family_name": "Tazi", "email": "salma@atlas-solaire.ma"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"given_name": "Sal\\u0000ma", "email": "salma@atlas-solaire.ma"}', "given_name"),
        ('{"given_name": "Sal\\ud800ma", "email": "salma@atlas-solaire.ma"}', "given_name"),
        ('{"given_name": "Salma", "email": "sal\\udc00ma@atlas-solaire.ma"}', "email"),
        (json.dumps({**NEW, "email": "sal\u00a0ma@atlas-solaire.ma"}), "email"),
        (json.dumps({**NEW, "email": "salma@atlas-solaire.ma\u00a0"}), "email"),
        (json.dumps({**NEW, "email": "sal\u2028ma@atlas-solaire.ma"}), "email"),
        (json.dumps({**NEW, "email": "salma@atlas\u2028solaire.ma"}), "email"),
        (json.dumps({**NEW, "email": "salma@atlas-solaire.ma\u2029"}), "email"),
        (json.dumps({**NEW, "email": "sal\u200bma@atlas-solaire.ma"}), "email"),
        (
            json.dumps({**NEW, "organisation": {"name": "Atlas\ud800", "kind": "sme", "country": "MA"}}),
            "organisation",
        ),
    ],
)
def test_api_registration_with_unusable_text_is_422_and_stores_nothing(client, auth, event, raw, field):
    api = ApiClient(client, auth)
    response = api.post(
        f"/api/v1/events/{event.id}/registrations/",
        api.token(Role.ORGANISER),
        data=raw.encode(),
        content_type="application/json",
    )
    body = assert_error(response, 422)
    assert field in body["errors"]["json"]
    assert count(Registration) == count(Person) == 0


def test_api_scan_with_lone_surrogates_is_422_and_logs_nothing(client, auth, event):
    api = ApiClient(client, auth)
    response = api.post(
        f"/api/v1/events/{event.id}/checkin/",
        api.token(Role.STAFF, ApiScope.CHECKIN),
        data=b'{"token": "abc\\ud800", "nonce": "\\udfff"}',
        content_type="application/json",
    )
    assert set(assert_error(response, 422)["errors"]["json"]) == {"token", "nonce"}
    assert count(CheckIn) == 0


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.ORGANISER, "/manage/events/?status=x"),
        (Role.ORGANISER, "/manage/events/?status=%00"),
        (Role.ORGANISER, "/manage/events/{event}/registrations/?status=x&kind=x&country=zz"),
        (Role.ORGANISER, "/manage/events/{event}/meetings?status=x&slot=yesterday"),
        (Role.STAFF, "/manage/events/{event}/marketplace?country=zz&kind=x&sector=x&market=x"),
        (Role.ADMIN, "/admin/outbox/?status=x"),
        (Role.ORGANISER, "/directory/organisations/?kind=x&country=zz&partner=abc"),
        (Role.ORGANISER, "/directory/people/?organisation=abc&country=zz"),
        (Role.ORGANISER, "/directory/people/?organisation=99999999999"),
        (None, "/events/?category=x&target=zz"),
    ],
)
def test_unknown_filter_values_are_ignored_or_refused_never_500(client, auth, event, role, url):
    if role is not None:
        auth.login(role)
    response = client.get(url.format(event=event.id))
    expected = 400 if "%00" in url else 200
    assert response.status_code == expected


def test_participant_marketplace_ignores_unknown_filters(app, client, event):
    viewer = participant_at(event)
    response = client.get(f"/r/{token_for(app, viewer)}/marketplace?country=zz&kind=x&sector=x&market=x")
    assert response.status_code == 200


@pytest.fixture
def failing_app(database_url, db):
    """An app of its own with a test-only route whose flush fails (a duplicate e-mail), as a bug in a
    service would: the request ends in the 500 handler with the session still in the failed transaction."""
    app = make_test_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.route("/test-only/failed-flush")
    def failed_flush():
        assert current_user.is_authenticated  # the layout of the error page reads the user
        organisation = Organisation(name="Atlas Solaire", kind=OrganisationKind.SME, country="MA")
        _db.session.add_all(
            [
                organisation,
                Person(given_name="A", family_name="One", email="same@atlas.ma", organisation=organisation),
                Person(given_name="B", family_name="Two", email="same@atlas.ma", organisation=organisation),
            ]
        )
        _db.session.flush()  # IntegrityError: one e-mail, one person
        return "unreachable"

    yield app
    with app.app_context():
        _db.engine.dispose()


def test_error_page_renders_after_a_failed_flush_and_keeps_nothing(failing_app, auth):
    auth.user(Role.ORGANISER)
    client = failing_app.test_client()
    login = client.post("/auth/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert login.status_code == 302
    response = client.get("/test-only/failed-flush")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert count(Person) == count(Organisation) == 0


@pytest.mark.parametrize(
    "query",
    [
        "_external=1&_scheme=javascript",
        "_anchor=%22%3E%3Cscript%3E",
        "endpoint=x",
        "event_id=999",
        "_method=DELETE",
    ],
)
def test_back_to_the_meeting_list_keeps_only_its_filters(client, auth, event, query):
    """After an action the organiser goes back to the list with its filters; any other query key
    (one ``url_for`` would read as its own argument) is dropped, never a 500 or an odd link."""
    from tests.factories import meeting_between

    meeting = meeting_between(participant_at(event), participant_at(event, "Nadia"))
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/meetings/{meeting.id}?status=accepted&q=Salma&{query}"
    response = client.post(url, data={"action": "lock", "next": "list"})
    assert response.status_code == 302
    assert response.location == f"/manage/events/{event.id}/meetings?q=Salma&status=accepted"
