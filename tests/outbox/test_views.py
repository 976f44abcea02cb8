"""The admin pages of the outbox: read, filter, download, requeue, send now; admins only."""

from __future__ import annotations

import html

import pytest

from move_events.auth.models import Role
from move_events.extensions import db as _db
from move_events.outbox.delivery import wait_for_background_deliveries
from move_events.outbox.models import OutboxMessage, OutboxStatus
from move_events.outbox.services import Attachment

ICS = Attachment("agenda.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def make_failed(queue_test_email, **overrides) -> OutboxMessage:
    message = queue_test_email(**overrides)
    message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 10, "550 No such user"
    _db.session.commit()
    return message


def test_message_list_shows_messages_and_counts(client, auth, queue_test_email):
    queue_test_email(to="amina@atlas.ma", subject="Your badge")
    make_failed(queue_test_email, to="zoe@example.fr")
    auth.login(Role.ADMIN)

    page = client.get("/admin/outbox/").get_data(as_text=True)

    assert "amina@atlas.ma" in page and "zoe@example.fr" in page
    assert "Your badge" in page
    assert "2 e-mails" in page
    assert "Failed" in page and "Queued" in page
    assert "No SMTP server is configured" in page  # the demo: e-mails stay here
    assert "Send due e-mails now" not in page


FILTERS = [  # query, shown, hidden
    ("?status=failed", "zoe@example.fr", "amina@atlas.ma"),
    ("?status=queued", "amina@atlas.ma", "zoe@example.fr"),
    ("?q=atlas", "amina@atlas.ma", "zoe@example.fr"),
    ("?status=bogus&q=zoe", "zoe@example.fr", "amina@atlas.ma"),  # an unknown status shows all
]


def test_message_list_filters_by_status_and_text(client, auth, queue_test_email):
    queue_test_email(to="amina@atlas.ma")
    make_failed(queue_test_email, to="zoe@example.fr")
    auth.login(Role.ADMIN)  # once: logging in hashes a password, the slow part of these tests
    for query, shown, hidden in FILTERS:
        page = client.get(f"/admin/outbox/{query}").get_data(as_text=True)
        assert shown in page, query
        assert hidden not in page, query


def test_message_list_when_empty_says_so(client, auth):
    auth.login(Role.ADMIN)
    assert "The outbox is empty" in client.get("/admin/outbox/").get_data(as_text=True)


def test_message_detail_shows_text_html_error_and_attachments(client, auth, queue_test_email):
    message = make_failed(queue_test_email, attachments=[ICS], context={"name": "Zoé <script>", "when": None})
    auth.login(Role.ADMIN)

    page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)

    assert "Dear Zoé &lt;script&gt;," in page  # the text, escaped
    assert "550 No such user" in page
    assert f"/admin/outbox/{message.id}/attachments/{message.attachments[0].id}" in page
    assert "agenda.ics" in page
    assert "Requeue" in page
    srcdoc = page.split('srcdoc="', 1)[1].split('"', 1)[0]
    assert 'sandbox=""' in page
    assert html.unescape(srcdoc) == message.body_html  # shown as sent, inside a sandbox


RETRY_BUTTONS = [  # status, attempts, button
    (OutboxStatus.QUEUED, 0, None),  # fresh: it goes out at the next delivery anyway
    (OutboxStatus.QUEUED, 2, "Retry now"),  # waiting for its next attempt
    (OutboxStatus.FAILED, 10, "Requeue"),
    (OutboxStatus.SENT, 1, None),  # never twice
]


def test_message_detail_offers_a_retry_only_when_useful(client, auth, queue_test_email):
    auth.login(Role.ADMIN)
    for status, attempts, button in RETRY_BUTTONS:
        message = queue_test_email()
        message.status, message.attempts = status, attempts
        _db.session.commit()
        page = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
        assert (f"/admin/outbox/{message.id}/requeue" in page) == (button is not None), status
        assert button is None or button in page


def test_message_detail_unknown_message_is_404(client, auth):
    auth.login(Role.ADMIN)
    assert client.get("/admin/outbox/999").status_code == 404


def test_attachment_download_returns_the_bytes(client, auth, queue_test_email):
    message = queue_test_email(attachments=[ICS])
    attachment_id = message.attachments[0].id
    auth.login(Role.ADMIN)

    response = client.get(f"/admin/outbox/{message.id}/attachments/{attachment_id}")

    assert response.status_code == 200
    assert response.data == ICS.data
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "agenda.ics" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_attachment_download_of_another_message_is_404(client, auth, queue_test_email):
    message = queue_test_email(attachments=[ICS])
    other = queue_test_email()
    auth.login(Role.ADMIN)
    assert client.get(f"/admin/outbox/{other.id}/attachments/{message.attachments[0].id}").status_code == 404


def test_message_requeue_queues_a_failed_message(client, auth, queue_test_email):
    message = make_failed(queue_test_email)
    auth.login(Role.ADMIN)

    response = client.post(f"/admin/outbox/{message.id}/requeue", follow_redirects=True)

    assert "The message is queued again" in response.get_data(as_text=True)
    _db.session.refresh(message)
    assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)


def test_message_requeue_refuses_a_sent_message(client, auth, queue_test_email):
    message = queue_test_email()
    message.status = OutboxStatus.SENT
    _db.session.commit()
    auth.login(Role.ADMIN)

    response = client.post(f"/admin/outbox/{message.id}/requeue", follow_redirects=True)

    assert "it is not sent twice" in response.get_data(as_text=True)
    _db.session.refresh(message)
    assert message.status == OutboxStatus.SENT


def test_send_now_without_mail_server_sends_nothing(client, auth, queue_test_email):
    message = queue_test_email()
    auth.login(Role.ADMIN)
    response = client.post("/admin/outbox/send", follow_redirects=True)
    assert "No SMTP server is configured" in response.get_data(as_text=True)
    _db.session.refresh(message)
    assert message.status == OutboxStatus.QUEUED


def test_send_now_delivers_due_messages(app, client, auth, smtp_server, queue_test_email):
    message = queue_test_email()
    auth.login(Role.ADMIN)

    response = client.post("/admin/outbox/send", follow_redirects=True)

    assert "Sent: 1. Failed attempts: 0. Still queued: 0." in response.get_data(as_text=True)
    assert len(smtp_server.wait_for_messages(1)) == 1
    assert wait_for_background_deliveries(app)
    _db.session.refresh(message)
    assert message.status == OutboxStatus.SENT


def test_send_now_reports_failures(client, auth, smtp_server, queue_test_email):
    queue_test_email()
    smtp_server.stop()
    auth.login(Role.ADMIN)
    page = client.post("/admin/outbox/send", follow_redirects=True).get_data(as_text=True)
    assert "Sent: 0. Failed attempts: 1. Still queued: 1." in page
    assert "alert-warning" in page


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.STAFF])
def test_outbox_pages_are_for_admins_only(client, auth, queue_test_email, role):
    message = queue_test_email(attachments=[ICS])
    auth.login(role)
    for method, path in [
        ("GET", "/admin/outbox/"),
        ("GET", f"/admin/outbox/{message.id}"),
        ("GET", f"/admin/outbox/{message.id}/attachments/{message.attachments[0].id}"),
        ("POST", f"/admin/outbox/{message.id}/requeue"),
        ("POST", "/admin/outbox/send"),
    ]:
        assert client.open(path, method=method).status_code == 403, path
