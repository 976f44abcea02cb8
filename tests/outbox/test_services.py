"""Queueing e-mails (rendering, language, links, attachments), requeueing, and the outbox queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import LazyString, format_date
from jinja2 import TemplateNotFound

from move_events.db_types import utcnow
from move_events.extensions import db as _db
from move_events.outbox.delivery import deliver_pending
from move_events.outbox.models import OutboxStatus
from move_events.outbox.services import (
    Attachment,
    OutboxError,
    count_by_status,
    email_language,
    queue_email,
    requeue,
    search_messages,
)

PDF = Attachment("badge.pdf", "application/pdf", b"%PDF-1.7\n\x00\x01\xfe\xff binary\r\n\x00")


def test_queue_email_stores_text_html_and_attachments(db, queue_test_email):
    before = utcnow()
    message = queue_test_email(
        attachments=[PDF, Attachment("agenda.ics", "text/calendar", b"BEGIN:VCALENDAR")]
    )

    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 0
    assert before <= message.next_attempt_at <= utcnow()
    assert message.to_address == "amina@atlas.ma"
    assert message.subject == "Your meeting"
    assert message.kind == "test"
    assert message.language == "en"
    assert "Dear Amina Benali," in message.body_text
    assert "Your meeting is on January 15, 2027." in message.body_text
    assert "<p>Dear Amina Benali,</p>" in message.body_html
    assert "MOVE Events" in message.body_html  # the layout around it
    stored = {a.filename: (a.content_type, a.data) for a in message.attachments}
    assert stored == {
        "badge.pdf": ("application/pdf", PDF.data),
        "agenda.ics": ("text/calendar", b"BEGIN:VCALENDAR"),
    }


def test_queue_email_renders_in_the_persons_language(db, queue_test_email):
    subject = LazyString(format_date, date(2027, 12, 3), "medium")  # evaluated inside the locale
    message = queue_test_email(language="fr", subject=subject)

    assert message.language == "fr"
    assert message.subject == "3 déc. 2027"
    assert "15 janvier 2027" in message.body_text
    assert "15 janvier 2027" in message.body_html
    assert '<html lang="fr"' in message.body_html


def test_queue_email_leaves_the_callers_locale_alone(app, db, queue_test_email):
    with app.test_request_context(headers={"Accept-Language": "it"}):
        queue_test_email(language="fr")
        assert format_date(date(2027, 1, 15), "long") == "15 gennaio 2027"


@pytest.mark.parametrize(
    ("language", "used"),
    [("fr", "fr"), ("fr-FR", "fr"), ("pt_BR", "pt"), ("BG", "bg"), ("de", "en"), ("", "en"), (None, "en")],
)
def test_email_language_is_an_interface_language(db, language, used):
    assert email_language(language) == used


def test_queue_email_escapes_html_but_not_text(db, queue_test_email):
    message = queue_test_email(context={"name": "Zoé <b>&</b>", "when": date(2027, 1, 15)})
    assert "Dear Zoé <b>&</b>," in message.body_text
    assert "Dear Zoé &lt;b&gt;&amp;&lt;/b&gt;," in message.body_html


def test_queue_email_tidies_the_text(db, queue_test_email):
    text = queue_test_email().body_text
    assert "\n\n\n" not in text
    assert not any(line.endswith(" ") for line in text.splitlines() if line != "-- ")
    assert "\n-- \n" in text  # the signature separator keeps its space (RFC 3676)


def test_queue_email_without_html_template_sends_text_only(db, queue_test_email):
    message = queue_test_email(template="text_only", context={"name": "Amina"})
    assert message.body_text == "Just text for Amina.\n"
    assert message.body_html == ""


def test_queue_email_requires_the_text_template(db, queue_test_email):
    with pytest.raises(TemplateNotFound):
        queue_test_email(template="no_such_email")


def test_queue_email_links_use_base_url_outside_a_request(app, db, queue_test_email, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://events.example.org/move")
    message = queue_test_email()
    assert "https://events.example.org/move/events/" in message.body_text.splitlines()
    assert 'href="https://events.example.org/move/events/"' in message.body_html


def test_queue_email_links_use_base_url_inside_a_request_too(app, db, queue_test_email, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://events.example.org")
    with app.test_request_context(base_url="https://door.example.org"):
        message = queue_test_email()
    assert "https://events.example.org/events/" in message.body_text.splitlines()
    assert "door.example.org" not in message.body_text + message.body_html


def test_queue_email_makes_the_subject_one_line(db, queue_test_email):
    message = queue_test_email(subject="Welcome\r\nBcc: everyone@example.org  ")
    assert message.subject == "Welcome Bcc: everyone@example.org"


@pytest.mark.parametrize("address", ["", "not-an-address", "a@b.org\nBcc: x@y.org", "a@@b.org"])
def test_queue_email_refuses_a_bad_address(db, queue_test_email, address):
    with pytest.raises(OutboxError, match="is not an e-mail address"):
        queue_test_email(to=address)


def test_queue_email_normalises_the_address(db, queue_test_email):
    assert queue_test_email(to="  Amina@Atlas.MA ").to_address == "amina@atlas.ma"


def test_queue_email_makes_attachments_safe_to_send(db, queue_test_email):
    message = queue_test_email(attachments=[Attachment("../../etc/pass\nwd.txt", "nonsense", b"x")])
    (attachment,) = message.attachments
    assert attachment.filename == ".._.._etc_pass wd.txt"
    assert attachment.content_type == "application/octet-stream"


def test_queue_email_only_flushes(db, queue_test_email):
    queue_email(to="a@example.org", template="text_only", subject="s", context={"name": "A"})
    _db.session.rollback()
    assert _db.session.scalars(search_messages()).all() == []


def test_requeue_gives_a_failed_message_fresh_attempts(db, queue_test_email):
    message = queue_test_email()
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 10, "550 No such user"
    message.next_attempt_at = utcnow() - timedelta(days=3)
    _db.session.commit()

    requeue(message)

    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 0
    assert message.next_attempt_at > utcnow() - timedelta(minutes=1)
    assert message.last_error == "550 No such user"  # what went wrong stays visible until the next try


def test_requeue_refuses_a_sent_message(db, queue_test_email):
    message = queue_test_email()
    message.status = OutboxStatus.SENT
    _db.session.commit()
    with pytest.raises(OutboxError, match="sent already"):
        requeue(message)
    assert message.status == OutboxStatus.SENT


def test_deliver_pending_without_mail_server_keeps_everything_queued(app, db, queue_test_email):
    assert not app.config["MAIL_SERVER"]
    message = queue_test_email()
    report = deliver_pending()
    assert (report.sent, report.failed, report.remaining) == (0, 0, 1)
    _db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)


def test_count_by_status_counts_every_status(db, queue_test_email):
    for status in (OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.FAILED, None):
        message = queue_test_email()
        if status:
            message.status = status
    _db.session.commit()
    assert count_by_status() == {OutboxStatus.QUEUED: 1, OutboxStatus.SENT: 2, OutboxStatus.FAILED: 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["zoe@example.fr", "amina@atlas.ma"]),
        ({"status": OutboxStatus.FAILED}, ["zoe@example.fr"]),
        ({"q": "ATLAS"}, ["amina@atlas.ma"]),
        ({"q": "badge"}, ["zoe@example.fr"]),  # subject
        ({"q": "100%"}, []),  # the user's % is a literal character
    ],
)
def test_search_messages_filters_by_status_and_text(db, queue_test_email, filters, expected):
    queue_test_email(to="amina@atlas.ma")
    queue_test_email(to="zoe@example.fr", subject="Your badge").status = OutboxStatus.FAILED
    _db.session.commit()
    assert [m.to_address for m in _db.session.scalars(search_messages(**filters))] == expected
