"""Outbox test fixtures: the loopback SMTP server, and e-mail templates made for these tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader

from move_events.extensions import db as _db
from move_events.outbox.models import OutboxMessage
from move_events.outbox.services import queue_email
from tests.smtp import smtp_server  # noqa: F401  (the fixture)

# Real templates extend the real layouts: these do too, so the layouts are tested with them.
TEMPLATES = {
    "email/outbox_test.txt": (
        '{% extends "email/_layout.txt" %}{% block body %}'
        "{{ _('Dear %(name)s,', name=name) }}\n\n"
        "{% if name %}\n\n\nYour meeting is on {{ when|dateformat('long') }}.   \n{% endif %}\n"
        "{{ url_for('events.public_list', _external=True) }}\n"
        "{% endblock %}"
    ),
    "email/outbox_test.html": (
        '{% extends "email/_layout.html" %}{% block body %}'
        "<p>{{ _('Dear %(name)s,', name=name) }}</p><p>{{ when|dateformat('long') }}</p>"
        "{% endblock %}"
    ),
    "email/text_only.txt": "Just text for {{ name }}.",
}


@pytest.fixture(autouse=True)
def email_templates(app: Flask) -> Iterator[None]:
    """Let the tests queue ``outbox_test`` (text + HTML) and ``text_only`` (text) e-mails."""
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), original])
    yield
    app.jinja_env.loader = original


@pytest.fixture
def queue_test_email(db) -> Callable[..., OutboxMessage]:
    """Queue (and commit) an e-mail as a view would; keyword arguments override queue_email's."""

    def queue(**overrides) -> OutboxMessage:
        values = {
            "to": "amina@atlas.ma",
            "template": "outbox_test",
            "subject": "Your meeting",
            "context": {"name": "Amina Benali", "when": date(2027, 1, 15)},
            "kind": "test",
        }
        values.update(overrides)
        message = queue_email(**values)
        _db.session.commit()
        return message

    return queue
