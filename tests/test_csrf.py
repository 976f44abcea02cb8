"""CSRF protection is on outside tests: every state-changing request is refused without its token.

The app's CSRF check (Flask-WTF's CSRFProtect) runs before any view, for forms, JSON and uploads alike;
here it is on, and every POST route of the app is walked (from ``app.url_map``, with the sample
arguments of tests/test_role_matrix.py) as anonymous visitor, organiser and admin.
"""

import re

import pytest

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.extensions import db as _db
from tests.factories import make_event, register
from tests.support import PASSWORD, make_test_app
from tests.test_role_matrix import sample  # noqa: F401  (a sample value for every URL argument)


@pytest.fixture
def csrf_app(database_url, db):
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        _db.engine.dispose()  # its own connection pool: close it, or psycopg warns at garbage collection


def csrf_token(client, path: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def test_csrf_login_without_token_is_refused(csrf_app):
    with csrf_app.app_context():
        create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
        _db.session.commit()
    client = csrf_app.test_client()
    refused = client.post("/auth/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert refused.status_code == 400 and "reload the page" in refused.get_data(as_text=True)
    accepted = client.post(
        "/auth/login",
        data={
            "email": "organiser@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/auth/login"),
        },
    )
    assert accepted.status_code == 302


def test_csrf_public_registration_needs_token(csrf_app):
    with csrf_app.app_context():
        event = make_event(published=True)
        slug = event.slug
    client = csrf_app.test_client()
    data = {
        "given_name": "Amina", "family_name": "Benali", "email": "amina@example.ma",
        "preferred_language": "fr", "organisation_name": "Atlas", "organisation_country": "MA",
        "organisation_kind": "sme", "role": "participant", "consent": "y",
    }  # fmt: skip
    assert client.post(f"/events/{slug}/register", data=data).status_code == 400
    data["csrf_token"] = csrf_token(client, f"/events/{slug}/register")
    response = client.post(f"/events/{slug}/register", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def test_csrf_button_forms_without_token_are_a_bad_request(csrf_app):
    with csrf_app.app_context():
        organiser = create_user(email="organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
        event = make_event(created_by=organiser)
        registration = register(make_event(published=True))
        from move_events.registration.links import make_personal_token

        with csrf_app.test_request_context():
            link = f"/r/{make_personal_token(registration)}"
        event_id = event.id
    client = csrf_app.test_client()
    client.post(
        "/auth/login",
        data={
            "email": "organiser@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/auth/login"),
        },
    )
    assert client.post(f"/manage/events/{event_id}/publish").status_code == 400
    assert client.post("/auth/logout").status_code == 400
    anonymous = csrf_app.test_client()
    assert anonymous.post(f"{link}/cancel").status_code == 400
    with csrf_app.app_context():
        assert _db.session.get(type(registration), registration.id).status.value == "confirmed"


# --- every POST route of the app, without a token -------------------------------------------------

# Routes that legitimately take POSTs without a CSRF token, and why. Everything else must refuse.
CSRF_EXEMPT_PREFIXES = {
    "/api/": "the JSON API authenticates with a bearer token and never accepts the session cookie, so a "
    "cross-site page cannot make an authenticated call (move_events/api/auth.py exempts it)",
}


def post_routes(app, sample):  # noqa: F811
    """(endpoint, path) of every POST route, with the role matrix's sample arguments."""
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        if any(rule.rule.startswith(prefix) for prefix in CSRF_EXEMPT_PREFIXES):
            continue
        args = {name: sample.get(name, 1) for name in rule.arguments}  # the check runs before any lookup
        yield rule.endpoint, rule.build(args, append_unknown=False)[1]


def database_snapshot() -> dict[str, list]:
    """Every row of every table, to show that a refused POST changed nothing."""
    snapshot = {}
    for table in _db.metadata.sorted_tables:
        rows = _db.session.execute(table.select()).all()
        snapshot[table.name] = sorted(repr(tuple(row)) for row in rows)
    _db.session.rollback()
    return snapshot


def logged_in_client(app, role: Role):
    client = app.test_client()
    email = f"{role.value}@example.org"
    response = client.post(
        "/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(client, "/auth/login")},
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("role", [None, Role.ORGANISER, Role.ADMIN], ids=["anonymous", "organiser", "admin"])
def test_csrf_every_post_route_refuses_a_post_without_token(csrf_app, sample, auth, role):  # noqa: F811
    """Form posts, JSON posts (the door's scan) and uploads alike: 400, and the database unchanged."""
    if role is not None:
        auth.user(role)
    client = logged_in_client(csrf_app, role) if role is not None else csrf_app.test_client()
    before = database_snapshot()
    routes = list(post_routes(csrf_app, sample))
    assert len(routes) >= 30
    for endpoint, path in routes:
        for kwargs in ({"data": {}}, {"json": {"token": "x", "nonce": "n"}}):
            response = client.post(path, **kwargs)
            assert response.status_code == 400, f"POST {path} ({endpoint}) as {role or 'anonymous'}"
    assert database_snapshot() == before
    if role is not None:  # still logged in: the refused logout did not log out
        assert client.get("/manage/events/").status_code == 200


def test_csrf_door_json_endpoints_need_the_header_token(csrf_app, sample, auth):  # noqa: F811
    """The door's fetch() calls send the token in X-CSRFToken (static/js/checkin.js): without it they
    are refused; with it they go through."""
    auth.user(Role.STAFF)
    client = logged_in_client(csrf_app, Role.STAFF)
    door = client.get(f"/checkin/{sample['event_id']}").get_data(as_text=True)
    token = re.search(r'"csrfToken": "([^"]+)"', door).group(1)
    scan = f"/checkin/{sample['event_id']}/scan"
    body = {"token": "not-a-badge", "nonce": "n-1"}
    assert client.post(scan, json=body).status_code == 400
    accepted = client.post(scan, json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code != 400 and accepted.is_json, accepted.get_data(as_text=True)[:300]
    check_in = f"/checkin/{sample['event_id']}/registrations/{sample['registration_id']}/check-in"
    assert client.post(check_in, json={"nonce": "n-2"}).status_code == 400
    accepted = client.post(check_in, json={"nonce": "n-2"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.is_json
