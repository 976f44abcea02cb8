"""Badge PDFs are rendered at delivery (or when an admin downloads one), never while registering: the
request that queues a confirmation, even a 200-line CSV import, renders nothing; the delivery renders in
batches, stores each file, sends every message whose file could be made and never a placeholder."""

from __future__ import annotations

import io
import json

import pypdfium2 as pdfium
import zxingcpp
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.db_types import utcnow
from move_events.outbox import deferred
from move_events.outbox.deferred import DEFERRED_TYPE, render_due
from move_events.outbox.delivery import deliver_pending
from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from move_events.registration.imports import COLUMNS
from move_events.registration.services import register_person
from tests.factories import make_event, participant, register

FAKE_PDF = b"%PDF-1.7 a badge"


def badge_of(db, registration) -> OutboxAttachment:
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    (badge,) = [a for a in message.attachments if a.filename.startswith("badge-")]
    return badge


def qr_tokens(data: bytes) -> list[str]:
    """Each page's QR code, decoded with a real decoder."""
    document = pdfium.PdfDocument(data)
    try:
        return [
            barcode.text
            for index in range(len(document))
            for barcode in zxingcpp.read_barcodes(document[index].render(scale=2).to_pil())
        ]
    finally:
        document.close()


def counting_renderer(monkeypatch, result=lambda argument: FAKE_PDF) -> list[str]:
    """Replace the badge renderer by one that records its arguments (registration ids)."""
    calls: list[str] = []

    def render(session, argument):
        calls.append(argument)
        return result(argument)

    monkeypatch.setitem(deferred._RENDERERS, "badge", render)
    return calls


def test_registering_renders_no_badge_not_even_after_the_commit(db, monkeypatch):
    calls = counting_renderer(monkeypatch)
    event = make_event(published=True, capacity=5)
    registration = register_person(event=event, details=participant())
    db.session.commit()
    make_event(published=True)  # a later commit of something else
    assert calls == []
    badge = badge_of(db, registration)
    assert badge.content_type == DEFERRED_TYPE
    assert json.loads(badge.data)["argument"] == str(registration.id)


def test_a_rolled_back_registration_renders_and_queues_nothing(db, monkeypatch):
    calls = counting_renderer(monkeypatch)
    event = make_event(published=True, capacity=5)
    register_person(event=event, details=participant())
    db.session.rollback()
    make_event(published=True)
    assert calls == [] and db.session.scalar(select(OutboxMessage)) is None


def test_delivery_sends_the_real_badge_with_its_qr_and_stores_it(db, smtp_server):
    event = make_event(published=True, capacity=5)
    registration = register(event)
    assert badge_of(db, registration).content_type == DEFERRED_TYPE

    report = deliver_pending()

    assert (report.sent, report.failed) == (1, 0)
    (received,) = smtp_server.wait_for_messages(1)
    files = {part.get_filename(): part for part in received.iter_attachments()}
    sent_badge = files[f"badge-{event.slug}.pdf"]
    assert sent_badge.get_content_type() == "application/pdf"
    assert qr_tokens(sent_badge.get_content()) == [make_badge_token(registration)]
    badge = badge_of(db, registration)
    assert badge.content_type == "application/pdf" and badge.data == sent_badge.get_content()


def test_a_badge_that_cannot_be_rendered_holds_up_no_other_message(db, smtp_server, monkeypatch):
    event = make_event(published=True, capacity=5)
    broken, fine = register(event), register(event)

    def render(argument):
        if argument == str(broken.id):
            raise FileNotFoundError("font missing")  # an OSError, like a refused connection
        return FAKE_PDF

    counting_renderer(monkeypatch, render)

    report = deliver_pending()

    assert (report.sent, report.failed) == (1, 1)
    (received,) = smtp_server.wait_for_messages(1)
    assert received["To"] == fine.person.email
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == broken.id))
    assert message.status == OutboxStatus.QUEUED and message.attempts == 1
    assert "font missing" in message.last_error
    assert badge_of(db, broken).content_type == DEFERRED_TYPE  # never sent as a placeholder


def test_a_failed_send_does_not_render_the_badge_again(app, db, smtp_server, monkeypatch):
    calls = counting_renderer(monkeypatch)
    registration = register(make_event(published=True, capacity=5))
    smtp_server.refuse_with = "550 Mailbox unavailable"
    assert deliver_pending().failed == 1
    assert calls == [str(registration.id)] and badge_of(db, registration).data == FAKE_PDF

    smtp_server.refuse_with = None
    report = deliver_pending(now=utcnow().replace(year=utcnow().year + 1))  # past every retry delay

    assert report.sent == 1 and calls == [str(registration.id)]  # rendered once in all


def test_render_due_renders_in_batches_only_due_messages(app, db, monkeypatch):
    calls = counting_renderer(monkeypatch)
    event = make_event(published=True, capacity=10)
    registrations = [register(event) for _ in range(5)]

    report = render_due(db.engine, now=utcnow(), limit=4, batch=3)

    assert report.rendered == 4 and report.errors == {}
    assert calls == [str(r.id) for r in registrations[:4]]  # the oldest due ones first
    assert [badge_of(db, r).content_type for r in registrations] == ["application/pdf"] * 4 + [DEFERRED_TYPE]


def test_a_200_line_csv_import_renders_no_badge_in_the_request(client, auth, db, smtp_server, monkeypatch):
    """The acceptance defect: a 5,000-line import rendered 5,000 PDFs before answering (a 504)."""
    monkeypatch.setitem(client.application.config, "OUTBOX_DELIVER_AFTER_REQUEST", False)
    calls = counting_renderer(monkeypatch, lambda argument: FAKE_PDF + argument.encode())
    event = make_event(published=True, capacity=300, created_by=auth.user(Role.ORGANISER))
    lines = [f"Given{n};Family{n};person{n}@import.example;Org {n};FR;sme;;;;fr" for n in range(200)]
    data = ("\r\n".join([";".join(COLUMNS), *lines]) + "\r\n").encode()
    auth.login(Role.ORGANISER)

    response = client.post(
        f"/manage/events/{event.id}/registrations/import", data={"file": (io.BytesIO(data), "people.csv")}
    )

    assert response.status_code == 302
    assert calls == []
    kinds = db.session.execute(
        select(OutboxAttachment.content_type, func.count()).group_by(OutboxAttachment.content_type)
    ).all()
    assert dict(kinds) == {DEFERRED_TYPE: 200, "text/calendar": 200}

    report = deliver_pending(limit=200)

    assert (report.sent, report.failed, report.remaining) == (200, 0, 0) and len(calls) == 200
    received = smtp_server.wait_for_messages(200)
    badges = {
        part.get_content()
        for message in received
        for part in message.iter_attachments()
        if part.get_filename() == f"badge-{event.slug}.pdf"
    }
    assert badges == {FAKE_PDF + argument.encode() for argument in calls}


def test_an_admin_downloads_the_badge_before_it_is_sent(client, auth, db, monkeypatch):
    """The demo sends nothing (no MAIL_SERVER): the outbox page still gives the real badge, made once."""
    event = make_event(published=True, capacity=5)
    registration = register(event)
    badge = badge_of(db, registration)
    auth.login(Role.ADMIN)

    page = client.get(f"/admin/outbox/{badge.message_id}").get_data(as_text=True)
    assert "application/pdf, made when it is sent or first downloaded" in page
    response = client.get(f"/admin/outbox/{badge.message_id}/attachments/{badge.id}")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert qr_tokens(response.data) == [make_badge_token(registration)]
    stored = badge_of(db, registration)
    assert stored.content_type == "application/pdf" and stored.data == response.data
    calls = counting_renderer(monkeypatch)
    again = client.get(f"/admin/outbox/{badge.message_id}/attachments/{badge.id}")
    assert again.data == response.data and calls == []  # kept: not made again


def test_a_badge_that_cannot_be_made_is_explained_on_download(client, auth, db, monkeypatch):
    def render(argument):
        raise LookupError("registration 7 no longer exists")

    counting_renderer(monkeypatch, render)
    registration = register(make_event(published=True, capacity=5))
    badge = badge_of(db, registration)
    auth.login(Role.ADMIN)

    response = client.get(f"/admin/outbox/{badge.message_id}/attachments/{badge.id}", follow_redirects=True)

    assert response.status_code == 200
    assert "This attachment could not be made" in response.text and "no longer exists" in response.text
    assert badge_of(db, registration).content_type == DEFERRED_TYPE
