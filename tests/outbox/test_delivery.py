"""Delivery through a real SMTP server on loopback: content intact, outages, retries, the CLI, and
delivery right after a request."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from move_events.db_types import utcnow
from move_events.extensions import db as _db
from move_events.outbox.delivery import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    deliver_pending,
    init_app,
    wait_for_background_deliveries,
)
from move_events.outbox.models import OutboxMessage, OutboxStatus
from move_events.outbox.services import Attachment, queue_email, requeue
from tests.smtp import SMTPServer, mail_settings
from tests.support import make_test_app

PDF = Attachment("programme-été.pdf", "application/pdf", bytes(range(256)) * 4)


def reloaded(message: OutboxMessage) -> OutboxMessage:
    """The message as the database has it now (delivery commits in a session of its own)."""
    _db.session.refresh(message)
    return message


def test_deliver_pending_sends_through_smtp(app, smtp_server, queue_test_email, monkeypatch):
    monkeypatch.setitem(
        app.config, "MAIL_DEFAULT_SENDER", ("Clúster MOVE · Événements", "events@move.example")
    )
    message = queue_test_email(
        to="zoe@atelier.example.fr",
        subject="Votre badge — Ça commence ! Ελλάδα, Бургас, الدار البيضاء",
        context={"name": "Zoé Ørsted", "when": date(2027, 1, 15)},
        attachments=[PDF],
    )

    report = deliver_pending()

    assert (report.sent, report.failed, report.remaining) == (1, 0, 0)
    (received,) = smtp_server.wait_for_messages(1)
    assert received["Subject"] == "Votre badge — Ça commence ! Ελλάδα, Бургас, الدار البيضاء"
    assert received["From"].addresses[0].display_name == "Clúster MOVE · Événements"
    assert received["From"].addresses[0].addr_spec == "events@move.example"
    assert received["To"] == "zoe@atelier.example.fr"
    assert received["X-RcptTo"] == "zoe@atelier.example.fr"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_body(("plain",)).get_content().replace("\r\n", "\n") == message.body_text
    assert "Dear Zoé Ørsted," in received.get_body(("html",)).get_content()
    (attachment,) = received.iter_attachments()
    assert attachment.get_filename() == "programme-été.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF.data
    message = reloaded(message)
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 1, "")
    assert message.sent_at is not None


def test_deliver_pending_survives_an_outage_and_delivers_once(smtp_server, queue_test_email):
    message = queue_test_email()
    now = utcnow()
    smtp_server.stop()

    report = deliver_pending(now=now)

    assert (report.sent, report.failed, report.remaining) == (0, 1, 1)
    message = reloaded(message)
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at == now + RETRY_DELAYS[0]

    smtp_server.start()  # back, on the same port
    assert deliver_pending(now=now + timedelta(seconds=30)).sent == 0  # not due yet
    assert deliver_pending(now=now + timedelta(minutes=2)).sent == 1
    assert deliver_pending(now=now + timedelta(hours=2)).sent == 0

    assert len(smtp_server.wait_for_messages(1)) == 1
    assert (reloaded(message).status, message.attempts) == (OutboxStatus.SENT, 2)


def test_deliver_pending_gives_up_after_max_attempts_until_requeued(smtp_server, queue_test_email):
    message = queue_test_email()
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    delays = []
    for _ in range(MAX_ATTEMPTS):
        before = reloaded(message).next_attempt_at
        assert deliver_pending(now=before).failed == 1
        delays.append(reloaded(message).next_attempt_at - before)

    assert (message.status, message.attempts) == (OutboxStatus.FAILED, MAX_ATTEMPTS)
    assert message.last_error == "451 4.3.0 Try again later"
    assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert delays == sorted(delays[:-1]) + [timedelta(0)]  # growing; the last failure schedules nothing
    assert deliver_pending(now=utcnow() + timedelta(days=30)).failed == 0  # failed: never retried

    requeue(message)
    _db.session.commit()
    smtp_server.refuse_with = None
    assert deliver_pending().sent == 1
    assert reloaded(message).status == OutboxStatus.SENT
    assert len(smtp_server.wait_for_messages(1)) == 1


def test_deliver_pending_continues_after_a_refused_message(smtp_server, queue_test_email):
    first, second = queue_test_email(), queue_test_email(to="zoe@example.fr")
    smtp_server.refuse_with = "550 5.1.1 Mailbox unavailable"

    report = deliver_pending()

    assert (report.sent, report.failed, report.remaining) == (0, 2, 2)
    assert reloaded(first).last_error == reloaded(second).last_error == "550 5.1.1 Mailbox unavailable"


def test_deliver_pending_stops_the_pass_when_the_server_is_down(smtp_server, queue_test_email):
    first, second = queue_test_email(), queue_test_email(to="zoe@example.fr")
    smtp_server.stop()

    assert deliver_pending().failed == 1

    assert (reloaded(first).attempts, reloaded(second).attempts) == (1, 0)  # the second waits untouched
    assert second.last_error == ""


def test_deliver_pending_without_mail_server_sends_nothing(app, db, queue_test_email):
    with SMTPServer() as server:  # running, but the app is not told about it
        message = queue_test_email()
        report = deliver_pending()
        assert (report.sent, report.remaining) == (0, 1)
        assert server.messages == []
    assert (reloaded(message).status, message.attempts) == (OutboxStatus.QUEUED, 0)


def test_deliver_pending_sends_at_most_limit(smtp_server, queue_test_email):
    for n in range(3):
        queue_test_email(to=f"p{n}@example.org")
    assert deliver_pending(limit=2).sent == 2
    assert deliver_pending(limit=2).sent == 1
    addresses = sorted(m["To"] for m in smtp_server.wait_for_messages(3))
    assert addresses == ["p0@example.org", "p1@example.org", "p2@example.org"]


@pytest.mark.real_clock  # sleeps or socket timeouts: libfaketime breaks those (see .ci/run)
def test_deliver_pending_never_sends_a_message_twice_from_two_workers(app, smtp_server, queue_test_email):
    for n in range(12):
        queue_test_email(to=f"p{n}@example.org")
    smtp_server.hold()  # both workers get their first message in flight before either finishes
    reports = []

    def work() -> None:
        with app.app_context():
            reports.append(deliver_pending())

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    smtp_server.wait_until_holding()
    time.sleep(0.1)  # PostgreSQL: the other worker claims a message of its own meanwhile
    smtp_server.release()
    for worker in workers:
        worker.join(10)

    assert sum(report.sent for report in reports) == 12
    received = smtp_server.wait_for_messages(12)
    assert len({m["Message-ID"] for m in received}) == len(received) == 12


@pytest.mark.real_clock  # sleeps or socket timeouts: libfaketime breaks those (see .ci/run)
def test_outbox_send_command_delivers_and_prints_counts(runner, smtp_server, queue_test_email):
    queue_test_email()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0, still queued 0." in result.output
    assert len(smtp_server.wait_for_messages(1)) == 1


def test_outbox_send_command_without_mail_server_keeps_messages(runner, queue_test_email):
    queue_test_email()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "MAIL_SERVER is not configured" in result.output
    assert "Sent 0, failed 0, still queued 1." in result.output


def test_outbox_worker_command_delivers_until_stopped(runner, smtp_server, queue_test_email):
    queue_test_email()
    queue_test_email(to="zoe@example.fr")
    result = runner.invoke(args=["outbox", "worker", "--interval", "0", "--limit", "1", "--max-loops", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Sent 1, failed 0") == 2
    assert len(smtp_server.wait_for_messages(2)) == 2


def test_outbox_worker_command_stops_on_ctrl_c(runner, monkeypatch):
    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("move_events.outbox.cli.time.sleep", interrupt)
    result = runner.invoke(args=["outbox", "worker", "--interval", "30"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("Stopped.")


@pytest.mark.real_clock  # sleeps or socket timeouts: libfaketime breaks those (see .ci/run)
def test_outbox_worker_command_outlives_a_database_error(runner, smtp_server, queue_test_email, monkeypatch):
    from move_events.outbox import cli

    calls = []

    def flaky_deliver(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return deliver_pending(**kwargs)

    monkeypatch.setattr(cli, "deliver_pending", flaky_deliver)
    queue_test_email()
    result = runner.invoke(args=["outbox", "worker", "--interval", "0", "--max-loops", "2"])
    assert result.exit_code == 0, result.output
    assert "Database error, retrying at the next pass" in result.output
    assert "Sent 1, failed 0" in result.output


# --- delivery right after a request ---------------------------------------------------------------------


@pytest.fixture
def mail_app(database_url: str, db, smtp_server: SMTPServer) -> Iterator[Flask]:
    """An app of its own, with the after-request delivery hook and a page that queues an e-mail (hooks
    and routes cannot be added to the shared app once it has served a request)."""
    app = make_test_app(database_url, **mail_settings(smtp_server))
    init_app(app)
    init_app(app)  # twice does no harm
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"email/hello.txt": "Hello {{ name }}."}), app.jinja_env.loader]
    )

    @app.post("/test-queue/<name>")
    def queue_for(name: str) -> str:
        queue_email(to=f"{name}@example.org", template="hello", subject="Hello", context={"name": name})
        _db.session.commit()
        return "queued"

    yield app
    wait_for_background_deliveries(app)
    with app.app_context():
        _db.engine.dispose()


def test_request_that_queued_mail_delivers_it_without_waiting(mail_app, smtp_server):
    smtp_server.hold()  # the SMTP server does not answer until released
    response = mail_app.test_client().post("/test-queue/amina")
    assert response.status_code == 200  # the request did not wait for the server

    smtp_server.release()
    (received,) = smtp_server.wait_for_messages(1)
    assert received["To"] == "amina@example.org"
    assert wait_for_background_deliveries(mail_app)
    with mail_app.app_context():
        assert _db.session.scalars(select(OutboxMessage.status)).all() == [OutboxStatus.SENT]


def test_requests_that_queue_mail_while_one_is_sent_share_its_thread(mail_app, smtp_server):
    smtp_server.hold()
    client = mail_app.test_client()
    client.post("/test-queue/a")
    smtp_server.wait_until_holding()  # the delivery thread is in the middle of an SMTP conversation
    for name in ("b", "c"):  # which locks nothing these requests write (SQLite locks the whole file)
        assert client.post(f"/test-queue/{name}").status_code == 200
    assert len([t for t in threading.enumerate() if t.name == "outbox-delivery"]) == 1

    smtp_server.release()
    assert sorted(m["To"] for m in smtp_server.wait_for_messages(3)) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]


def test_request_delivery_can_be_turned_off(mail_app, smtp_server, monkeypatch):
    monkeypatch.setitem(mail_app.config, "OUTBOX_DELIVER_AFTER_REQUEST", False)
    mail_app.test_client().post("/test-queue/amina")
    assert wait_for_background_deliveries(mail_app)
    assert smtp_server.messages == []
