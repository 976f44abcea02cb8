import pytest

from move_events import create_app
from move_events.config import ConfigError


def test_create_app_testing_config_is_applied(app):
    assert app.testing
    assert app.config["SECRET_KEY"].startswith("test-secret-key")


def test_create_app_refuses_production_without_secret_key(monkeypatch):
    monkeypatch.delenv("MOVE_EVENTS_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


ENV_KEY = "from-env-0123456789abcdef0123456789"  # production refuses keys under 32 bytes


def test_create_app_reads_prefixed_environment(monkeypatch):
    monkeypatch.setenv("MOVE_EVENTS_SECRET_KEY", ENV_KEY)
    monkeypatch.setenv("MOVE_EVENTS_BASE_URL", "https://events.example.org")
    monkeypatch.setenv("MOVE_EVENTS_PER_PAGE", "7")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == ENV_KEY
    assert app.config["BASE_URL"] == "https://events.example.org"
    assert app.config["PER_PAGE"] == 7


def test_create_app_test_config_overrides_environment(monkeypatch):
    monkeypatch.setenv("MOVE_EVENTS_SECRET_KEY", ENV_KEY)
    app = create_app({"SECRET_KEY": "from-test", "TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-test"


def test_create_app_refuses_production_with_the_example_key(monkeypatch):
    monkeypatch.setenv("MOVE_EVENTS_SECRET_KEY", "change-me")
    monkeypatch.setenv("MOVE_EVENTS_BASE_URL", "https://events.example.org")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="placeholder"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_create_app_debug_runs_without_secret_key(monkeypatch):
    monkeypatch.delenv("MOVE_EVENTS_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.debug


def test_create_app_serves_bootstrap_locally(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "/bootstrap/static/" in page
    assert "cdn.jsdelivr.net" not in page


def test_huge_ids_in_urls_are_not_found(client, auth):
    auth.login("organiser")
    assert client.get("/manage/events/99999999999999999999").status_code == 404
    assert client.get("/directory/organisations/99999999999999999999").status_code == 404


@pytest.mark.parametrize(("method", "field"), [("get", "query_string"), ("post", "data")])
def test_nul_bytes_in_input_are_a_bad_request(client, db, method, field):
    response = getattr(client, method)(
        "/auth/login", **{field: {"email": "a\x00b@example.org", "password": "x"}}
    )
    assert response.status_code == 400
