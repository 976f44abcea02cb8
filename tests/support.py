"""Helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

import pypdfium2 as pdfium
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


def pdf_left_edge(data: bytes, text: str) -> float:
    """Where ``text`` starts on the PDF's first page: the smallest x of its characters, in points."""
    document = pdfium.PdfDocument(data)
    try:
        textpage = document[0].get_textpage()
        searcher = textpage.search(text)
        found = searcher.get_next()
        assert found, f"{text!r} is not on the page"
        start, count = found
        edge = min(textpage.get_charbox(index)[0] for index in range(start, start + count))
        searcher.close()
        textpage.close()
        return edge
    finally:
        document.close()
