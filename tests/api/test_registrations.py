"""/api/v1/events/<id>/registrations: list, create, read, cancel — through the registration services."""

from __future__ import annotations

import pytest

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from move_events.directory.models import Organisation, OrganisationKind
from move_events.events.models import Event
from move_events.extensions import db as _db
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationStatus
from tests.api.conftest import assert_error
from tests.factories import make_event, register


@pytest.fixture
def organiser(auth):
    return auth.user(Role.ORGANISER)


@pytest.fixture
def event(db, organiser):
    return make_event(published=True, created_by=organiser, capacity=1)


@pytest.fixture
def token(api, organiser):
    return api.token(Role.ORGANISER, ApiScope.WRITE)


def path(event: Event, rest: str = "") -> str:
    return f"/api/v1/events/{event.id}/registrations/{rest}"


NEW = {
    "given_name": "Youssef",
    "family_name": "Alaoui",
    "email": "Youssef@Example.MA",
    "organisation": {"name": "Atlas Hydrogen", "kind": "sme", "country": "MA"},
}


def test_create_confirms_then_waitlists_and_tells_the_person(api, event, token):
    response = api.post(path(event), token, json=NEW)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "confirmed" and body["person"]["email"] == "youssef@example.ma"
    assert body["person"]["organisation"]["name"] == "Atlas Hydrogen"
    assert body["person"]["organisation"]["country"] == "MA"
    registration = _db.session.get(Registration, body["id"])
    assert registration.event_id == event.id and registration.status == RegistrationStatus.CONFIRMED
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(OutboxMessage)) == 1

    second = api.post(path(event), token, json={**NEW, "email": "ana@example.br"})
    assert second.status_code == 201 and second.get_json()["status"] == "waitlisted"


def test_create_with_an_existing_organisation(api, event, token):
    org = Organisation(name="Cluster Solaire", kind=OrganisationKind.CLUSTER, country="MA")
    _db.session.add(org)
    _db.session.commit()
    body = api.post(path(event), token, json={**NEW, "organisation_id": org.id}).get_json()
    assert body["person"]["organisation"]["id"] == org.id
    missing = api.post(
        path(event), token, json={"given_name": "X", "email": "x@example.org", "organisation_id": 999}
    )
    assert "organisation_id" in assert_error(missing, 404)["errors"]["json"]


def test_registering_twice_is_409(api, event, token):
    assert api.post(path(event), token, json=NEW).status_code == 201
    body = assert_error(api.post(path(event), token, json=NEW), 409)
    assert "already registered" in body["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "given_name"),
        ({**NEW, "email": "not-an-email"}, "email"),
        ({**NEW, "given_name": "x" * 121}, "given_name"),
        ({**NEW, "given_name": "Nul\x00"}, "given_name"),
        ({**NEW, "role": "king"}, "role"),
        ({**NEW, "organisation": {"name": "A", "kind": "sme", "country": "XX"}}, "organisation"),
        ({**NEW, "surprise": 1}, "surprise"),
    ],
)
def test_invalid_registration_is_422_and_nothing_is_saved(api, event, token, payload, field):
    body = assert_error(api.post(path(event), token, json=payload), 422)
    assert field in body["errors"]["json"]
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(Registration)) == 0


def test_not_json_is_an_error_not_a_500(api, event, token):
    assert api.post(path(event), token, data="{", content_type="application/json").status_code in (400, 422)
    assert_error(api.post(path(event), token, json=[1, 2]), 422)


def test_creating_needs_can_manage(api, auth, event):
    other = api.auth.user(Role.ORGANISER)
    mine = make_event(published=True)  # created by nobody, no partner cluster: only admins manage it
    token = api.token(Role.ORGANISER, ApiScope.WRITE)
    assert other.id == event.created_by_id
    assert_error(api.post(path(mine), token, json=NEW), 403)
    admin = api.token(Role.ADMIN, ApiScope.WRITE)
    assert api.post(path(mine), admin, json=NEW).status_code == 201


def test_list_filters_and_pages(api, event, token):
    first, second = register(event), register(event)
    read = api.token(Role.ORGANISER, ApiScope.READ)
    body = api.get(path(event), read).get_json()
    assert [item["id"] for item in body["items"]] == [first.id, second.id] and body["total"] == 2
    waitlisted = api.get(path(event, "?status=waitlisted"), read).get_json()
    assert [item["id"] for item in waitlisted["items"]] == [second.id]
    assert len(api.get(path(event, "?per_page=1&page=2"), read).get_json()["items"]) == 1
    assert "status" in assert_error(api.get(path(event, "?status=lost"), read), 422)["errors"]["query"]


def test_read_one_and_not_of_another_event(api, event, token):
    registration = register(event)
    other = register(make_event(published=True))
    body = api.get(path(event, str(registration.id)), token).get_json()
    assert body["id"] == registration.id and body["person"]["family_name"] == registration.person.family_name
    assert_error(api.get(path(event, str(other.id)), token), 404)
    assert_error(api.get(path(event, "99999"), token), 404)


def test_cancel_promotes_the_waiting_list_and_a_second_cancel_is_409(api, event, token):
    confirmed, waiting = register(event), register(event)
    assert waiting.status == RegistrationStatus.WAITLISTED
    response = api.post(path(event, f"{confirmed.id}/cancel"), token)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["registration"]["status"] == "cancelled"
    assert [p["id"] for p in body["promoted"]] == [waiting.id] and body["promoted"][0][
        "status"
    ] == "confirmed"
    _db.session.expire_all()
    assert _db.session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    assert (
        "already cancelled"
        in assert_error(api.post(path(event, f"{confirmed.id}/cancel"), token), 409)["message"]
    )


def test_cancel_needs_can_manage(api, event):
    registration = register(event)
    api.auth.user(Role.ORGANISER)
    outsider_event = make_event(published=True)
    outsider = register(outsider_event)
    token = api.token(Role.ORGANISER, ApiScope.WRITE)
    assert_error(api.post(path(outsider_event, f"{outsider.id}/cancel"), token), 403)
    assert registration.status == RegistrationStatus.CONFIRMED
