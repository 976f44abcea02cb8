"""Badge PDFs are rendered after the registration commits (outside the event's lock), and the delivery
renders what was left and never sends a placeholder."""

from __future__ import annotations

import pypdfium2 as pdfium
from sqlalchemy import select, text, update
from sqlalchemy.exc import OperationalError

from move_events.events.models import Event
from move_events.outbox import deferred
from move_events.outbox.deferred import DEFERRED_TYPE
from move_events.outbox.delivery import deliver_pending
from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from move_events.registration.services import register_person
from tests.factories import make_event, participant, register


def badge_of(db, registration) -> OutboxAttachment:
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    (badge,) = [a for a in message.attachments if a.filename.startswith("badge-")]
    return badge


def is_one_page_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF") and len(pdfium.PdfDocument(data)) == 1


def event_row_is_free(db, event_id: int) -> bool:
    """Could another transaction lock the event's row right now (as the next registration must)?"""
    with db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SET LOCAL lock_timeout = '200ms'"))
        else:
            connection.exec_driver_sql("PRAGMA busy_timeout = 200")
        try:
            if postgres:
                connection.execute(select(Event.id).where(Event.id == event_id).with_for_update())
            else:
                connection.execute(update(Event).where(Event.id == event_id).values(title=Event.title))
            return True
        except OperationalError:
            return False
        finally:
            connection.rollback()
            if not postgres:
                connection.exec_driver_sql("PRAGMA busy_timeout = 5000")


def test_the_badge_is_rendered_after_the_commit_outside_the_event_lock(db, monkeypatch):
    lock_free_while_rendering = []
    original = deferred._RENDERERS["badge"]

    def spy(session, argument):
        lock_free_while_rendering.append(event_row_is_free(db, event.id))
        return original(session, argument)

    monkeypatch.setitem(deferred._RENDERERS, "badge", spy)
    event = make_event(published=True, capacity=5)
    registration = register_person(event=event, details=participant())
    db.session.flush()
    placeholder = db.session.scalar(
        select(OutboxAttachment).where(OutboxAttachment.filename.startswith("badge-"))
    )
    assert placeholder.content_type == DEFERRED_TYPE and lock_free_while_rendering == []
    assert not event_row_is_free(db, event.id)  # the registration holds the event while it decides

    db.session.commit()

    assert lock_free_while_rendering == [True]  # rendered once, with the event free for the next one
    badge = badge_of(db, registration)
    assert badge.content_type == "application/pdf" and is_one_page_pdf(badge.data)


def test_a_rolled_back_registration_renders_nothing(db, monkeypatch):
    calls = []
    monkeypatch.setitem(deferred._RENDERERS, "badge", lambda session, argument: calls.append(argument))
    event = make_event(published=True, capacity=5)
    register_person(event=event, details=participant())
    db.session.rollback()
    make_event(published=True)  # a later commit of something else
    assert calls == [] and db.session.scalar(select(OutboxMessage)) is None


def test_delivery_renders_what_the_commit_could_not(db, smtp_server, monkeypatch):
    original = deferred._RENDERERS["badge"]

    def broken(session, argument):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setitem(deferred._RENDERERS, "badge", broken)
    event = make_event(published=True, capacity=5)
    registration = register(event)  # committed although the badge could not be made after the commit
    assert badge_of(db, registration).content_type == DEFERRED_TYPE

    monkeypatch.setitem(deferred._RENDERERS, "badge", original)
    report = deliver_pending()

    assert (report.sent, report.failed) == (1, 0)
    (received,) = smtp_server.wait_for_messages(1)
    files = {part.get_filename(): part for part in received.iter_attachments()}
    sent_badge = files[f"badge-{event.slug}.pdf"]
    assert sent_badge.get_content_type() == "application/pdf" and is_one_page_pdf(sent_badge.get_content())
    badge = badge_of(db, registration)
    assert badge.content_type == "application/pdf" and badge.data == sent_badge.get_content()


def test_delivery_never_sends_a_placeholder(db, smtp_server, monkeypatch):
    def broken(session, argument):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setitem(deferred._RENDERERS, "badge", broken)
    registration = register(make_event(published=True, capacity=5))

    report = deliver_pending()

    assert (report.sent, report.failed) == (0, 1)
    assert smtp_server.messages == []
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
    assert message.status == OutboxStatus.QUEUED and "WeasyPrint fell over" in message.last_error
