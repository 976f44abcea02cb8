"""Who may open the directory."""

import pytest

from move_events.auth.models import Role
from move_events.directory.models import Organisation, Person
from tests.directory.support import (
    ROUTES,
    count,
    request_route,
)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_directory_routes_send_anonymous_to_login(client, existing, method, path):
    response = request_route(client, method, path, existing)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert (count(Organisation), count(Person)) == (1, 1)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_directory_routes_forbid_door_staff(client, auth, existing, method, path):
    auth.login(Role.STAFF)
    response = request_route(client, method, path, existing)
    assert response.status_code == 403
    assert (count(Organisation), count(Person)) == (1, 1)


@pytest.mark.parametrize(("method", "path"), [route for route in ROUTES if route[0] == "get"])
@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_directory_pages_open_for_organisers_and_admins(client, auth, existing, role, method, path):
    auth.login(role)
    response = request_route(client, method, path, existing)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/directory/organisations/999",
        "/directory/organisations/999/edit",
        "/directory/people/999/edit",
    ],
)
def test_directory_missing_rows_are_not_found(client, auth, db, path):
    auth.login(Role.ORGANISER)
    assert client.get(path).status_code == 404


def test_nav_links_to_directory_for_organisers(client, auth, db):
    auth.login(Role.ORGANISER)
    page = client.get("/directory/organisations/").get_data(as_text=True)
    assert 'href="/directory/organisations/"' in page


# --- organisations ---------------------------------------------------------------------------------
