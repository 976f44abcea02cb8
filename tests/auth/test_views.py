import pytest

from move_events.auth.models import Role
from tests.support import PASSWORD


def test_login_with_right_password_logs_in(client, auth):
    user = auth.user(Role.ORGANISER)
    response = client.post("/auth/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/manage/events/").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("organiser@example.org", "wrong password"), ("nobody@example.org", PASSWORD)],
)
def test_login_with_wrong_credentials_says_so_at_the_field(client, auth, email, password):
    auth.user(Role.ORGANISER)
    response = client.post("/auth/login", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong e-mail or password." in page
    assert f'value="{email}"' in page
    assert client.get("/manage/events/").status_code == 302


def test_login_refuses_deactivated_user(client, auth, db):
    user = auth.user(Role.ADMIN)
    user.active = False
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/directory/organisations/", "/directory/organisations/"), ("https://evil.example/", "/manage/events/"),
     ("//evil.example/", "/manage/events/")],
)  # fmt: skip
def test_login_redirects_only_to_local_next(client, auth, next_url, expected):
    user = auth.user(Role.ORGANISER)
    response = client.post(f"/auth/login?next={next_url}", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == expected


def test_logout_needs_post_and_ends_session(client, auth):
    auth.login(Role.ORGANISER)
    assert client.get("/auth/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/manage/events/").status_code == 302
