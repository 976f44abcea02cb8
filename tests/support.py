"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from flask import Flask

from move_events import create_app

PASSWORD = "correct horse battery staple"


def make_test_app(database_url: str, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789abcdef0123",  # 32+ bytes: live servers run non-testing
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_SERVER": None,
    }
    config.update(overrides)
    return create_app(config)
