"""Unsafe settings stop the app at start-up (issue #13): a published or short SECRET_KEY, a production
site without BASE_URL; and the Host names a request may use default to BASE_URL's own."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from flask import Flask

from move_events.config import ConfigError, load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "5f1c0a9e3b7d4c2a8e6f1b3d5c7a9e0f"  # 32 bytes
PRODUCTION = {"SECRET_KEY": GOOD_KEY, "BASE_URL": "https://events.example.org"}


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    """Only the mapping each test passes counts: no MOVE_EVENTS_* or FLASK_DEBUG from the shell."""
    import os

    for name in list(os.environ):
        if name.startswith("MOVE_EVENTS_") or name == "FLASK_DEBUG":
            monkeypatch.delenv(name)


def configured(tmp_path, **settings) -> Flask:
    """A bare app configured as ``create_app`` does, with an empty instance folder."""
    app = Flask(__name__, instance_path=str(tmp_path), instance_relative_config=True)
    load_config(app, {"SQLALCHEMY_DATABASE_URI": "sqlite://", **settings})
    return app


def example_secret_key() -> str:
    return runpy.run_path(str(PROJECT_ROOT / "instance" / "config.example.py"))["SECRET_KEY"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("change-me", "placeholder"),
        ("dev-only-not-secret", "placeholder"),
        ("  CHANGE-ME ", "placeholder"),
        ("a-short-but-not-empty-key", "too short"),
        ("é" * 15, "too short"),  # 30 bytes
        (b"\x01" * 31, "too short"),
    ],
)
def test_production_refuses_a_known_or_short_secret_key(tmp_path, key, message):
    with pytest.raises(ConfigError, match=message) as refused:
        configured(tmp_path, **{**PRODUCTION, "SECRET_KEY": key})
    assert "secrets.token_hex()" in str(refused.value)  # it says how to make a good one


def test_production_refuses_the_example_configs_key(tmp_path):
    with pytest.raises(ConfigError, match=r"secrets\.token_hex"):
        configured(tmp_path, **{**PRODUCTION, "SECRET_KEY": example_secret_key()})


@pytest.mark.parametrize("key", [GOOD_KEY, "é" * 16, b"\x01" * 32, "x" * 64])
def test_production_accepts_a_long_secret_key(tmp_path, key):
    assert configured(tmp_path, **{**PRODUCTION, "SECRET_KEY": key}).config["SECRET_KEY"] == key


@pytest.mark.parametrize("mode", ["DEBUG", "TESTING"])
def test_debug_and_tests_run_with_any_key_or_none(tmp_path, mode):
    assert configured(tmp_path, **{mode: True}).config["SECRET_KEY"] == "dev-only-not-secret"
    assert configured(tmp_path, **{mode: True, "SECRET_KEY": "change-me"}).config["SECRET_KEY"] == "change-me"


def test_production_refuses_to_start_without_base_url(tmp_path):
    with pytest.raises(ConfigError, match="BASE_URL"):
        configured(tmp_path, SECRET_KEY=GOOD_KEY)


def test_plain_http_demo_falls_back_to_the_local_base_url(tmp_path):
    app = configured(tmp_path, SECRET_KEY=GOOD_KEY, SESSION_COOKIE_SECURE=False)
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    "base_url", ["events.example.org", "ftp://events.example.org", "https://", "https://a.org/?x=1"]
)
def test_a_malformed_base_url_is_refused(tmp_path, base_url):
    with pytest.raises(ConfigError, match="BASE_URL"):
        configured(tmp_path, **{**PRODUCTION, "BASE_URL": base_url})


def test_base_url_loses_its_trailing_slash(tmp_path):
    app = configured(tmp_path, **{**PRODUCTION, "BASE_URL": "https://events.example.org/move/"})
    assert app.config["BASE_URL"] == "https://events.example.org/move"


def test_trusted_hosts_default_to_base_urls_host_and_the_local_names(tmp_path):
    app = configured(tmp_path, **{**PRODUCTION, "BASE_URL": "https://Events.Example.org:8443/move"})
    assert app.config["TRUSTED_HOSTS"] == ["events.example.org", "localhost", "127.0.0.1"]


def test_trusted_hosts_set_in_the_config_are_kept(tmp_path):
    app = configured(tmp_path, **PRODUCTION, TRUSTED_HOSTS=[".example.org"])
    assert app.config["TRUSTED_HOSTS"] == [".example.org"]


def test_a_listen_on_all_base_url_checks_no_host(tmp_path):
    app = configured(
        tmp_path, SECRET_KEY=GOOD_KEY, SESSION_COOKIE_SECURE=False, BASE_URL="http://0.0.0.0:5000"
    )
    assert app.config["TRUSTED_HOSTS"] is None


def test_max_content_length_is_set(tmp_path):
    limit = configured(tmp_path, **PRODUCTION).config["MAX_CONTENT_LENGTH"]
    assert 2 * 1024 * 1024 < limit <= 10 * 1024 * 1024  # above the 2 MB import, under the proxy's 10 MB
