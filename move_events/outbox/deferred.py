"""Attachments rendered when they are needed (at delivery, or when an admin opens one), never at queueing.

A confirmation carries the person's badge PDF (WeasyPrint: 50–150 ms, more on a busy machine). Rendered
when the message is queued, it would run inside the registration's transaction, while the event's row is
locked (registration/services.py ``_lock_event``), and inside the request: a 5,000-line CSV import
would render 5,000 PDFs before answering (minutes: the proxy gives up with a 504). So the message is
queued with a *placeholder* for the attachment (what to render, stored in the attachment's row: nothing
is lost if the process dies), and the file is made

1. by the delivery pass, just before sending (``render_due``, in batches, each file stored as soon as
   its batch is done: a message whose sending fails is not rendered again at its next attempt, and one
   file that cannot be rendered holds up no other message); ``deliver_pending`` never sends a
   placeholder; or
2. when an admin downloads it from the outbox page (the demo sends nothing: ``rendered_file``).

Renderers are registered by name with ``attachment_renderer``; each gets a database session and the
argument given when the message was queued (e.g. a registration id) and returns the file's bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus

DEFERRED_TYPE = "application/x-move-events-deferred"  # a placeholder's content type, never sent
RENDER_BATCH = 20  # files rendered before they are written in one short transaction

Renderer = Callable[[Session, str], bytes]
_RENDERERS: dict[str, Renderer] = {}


class DeferredRenderError(RuntimeError):
    """A placeholder could not be rendered (unknown renderer, damaged placeholder, the renderer failed);
    the delivery records it on the message, which waits for its next attempt."""


@dataclass(frozen=True)
class DeferredAttachment:
    """A file rendered when it is needed by the renderer ``renderer`` from ``argument``."""

    filename: str
    content_type: str
    renderer: str
    argument: str


@dataclass
class RenderReport:
    """One rendering pass: files rendered, and the error of each message that has a file that failed."""

    rendered: int = 0
    errors: dict[int, DeferredRenderError] = field(default_factory=dict)


def attachment_renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register ``function(session, argument) -> bytes`` as the renderer called ``name``."""

    def register(function: Renderer) -> Renderer:
        _RENDERERS[name] = function
        return function

    return register


def placeholder_data(attachment: DeferredAttachment) -> bytes:
    spec = {
        "renderer": attachment.renderer,
        "argument": attachment.argument,
        "content_type": attachment.content_type,
    }
    return json.dumps(spec).encode()


def is_deferred(attachment: OutboxAttachment) -> bool:
    return attachment.content_type == DEFERRED_TYPE


def final_content_type(attachment: OutboxAttachment) -> str:
    """The type the file will have once rendered (a placeholder's own type means nothing to a reader)."""
    if not is_deferred(attachment):
        return attachment.content_type
    try:
        return str(json.loads(attachment.data)["content_type"])
    except (ValueError, KeyError, TypeError):
        return "application/octet-stream"


def rendered_data(session: Session, attachment: OutboxAttachment) -> tuple[bytes, str]:
    """The file and its content type for the placeholder ``attachment`` (nothing is changed)."""
    try:
        spec = json.loads(attachment.data)
        renderer = _RENDERERS[spec["renderer"]]
        content_type = spec["content_type"]
        argument = spec["argument"]
    except (ValueError, KeyError, TypeError) as error:
        raise DeferredRenderError(f"Cannot render attachment {attachment.filename!r}: {error!r}") from error
    try:
        with session.no_autoflush:
            return renderer(session, argument), content_type
    except Exception as error:  # any renderer failure is this message's problem, never the server's
        raise DeferredRenderError(f"Rendering {attachment.filename!r} failed: {error!r}") from error


def render_attachment(session: Session, attachment: OutboxAttachment) -> None:
    """Replace the placeholder by the rendered file (in ``session``; the caller commits)."""
    attachment.data, attachment.content_type = rendered_data(session, attachment)


def render_deferred(session: Session, attachments: Iterable[OutboxAttachment]) -> int:
    """Render every placeholder among ``attachments``; how many there were."""
    waiting = [attachment for attachment in attachments if is_deferred(attachment)]
    for attachment in waiting:
        render_attachment(session, attachment)
    return len(waiting)


def rendered_file(session: Session, attachment: OutboxAttachment) -> OutboxAttachment:
    """``attachment``, rendered and stored first if it is a placeholder (the caller commits).

    An admin reading the outbox of the demo (no SMTP server: nothing is ever delivered) downloads the
    badge as the person will get it; it is kept, so the delivery does not make it again.
    """
    if is_deferred(attachment):
        render_attachment(session, attachment)
    return attachment


def render_due(engine: Engine, *, now: datetime, limit: int, batch: int = RENDER_BATCH) -> RenderReport:
    """Render the placeholders of the next ``limit`` due messages, ``batch`` files at a time.

    Files are rendered while reading only, then each batch is written in one short transaction (on
    SQLite a write locks the whole database: no registration waits for WeasyPrint). The write is
    conditional: a file rendered meanwhile by another worker or an admin's download is kept. A file
    that fails is logged and reported by message; the others go on.
    """
    report = RenderReport()
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    with Session(engine) as session:
        ids = session.scalars(
            select(OutboxAttachment.id)
            .where(OutboxAttachment.message_id.in_(due), OutboxAttachment.content_type == DEFERRED_TYPE)
            .order_by(OutboxAttachment.message_id, OutboxAttachment.id)
        ).all()
        session.rollback()
        for start in range(0, len(ids), batch):
            done: list[tuple[int, bytes, str]] = []
            for attachment in session.scalars(
                select(OutboxAttachment).where(OutboxAttachment.id.in_(ids[start : start + batch]))
            ):
                try:
                    done.append((attachment.id, *rendered_data(session, attachment)))
                except DeferredRenderError as error:
                    current_app.logger.warning("%s (message %s)", error, attachment.message_id)
                    report.errors[attachment.message_id] = error
            session.rollback()  # end the reading transaction before writing (SQLite)
            for attachment_id, data, content_type in done:
                session.execute(
                    update(OutboxAttachment)
                    .where(
                        OutboxAttachment.id == attachment_id, OutboxAttachment.content_type == DEFERRED_TYPE
                    )
                    .values(data=data, content_type=content_type)
                )
            session.commit()
            session.expunge_all()
            report.rendered += len(done)
    return report
