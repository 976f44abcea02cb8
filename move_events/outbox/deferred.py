"""Attachments rendered after the change that queued them is committed, not inside its transaction.

A confirmation carries the person's badge PDF (WeasyPrint: 50–150 ms, more on a busy machine). Rendered
inside the registration's transaction, it would run while the event's row is locked
(registration/services.py ``_lock_event``), and every other registration for that event would wait
for it: 200 people registering at once queued behind 100 renderings. So the message is queued with a
*placeholder* for the attachment (what to render, stored in the attachment's row: nothing is lost if
the process dies), and the PDF is made

1. right after the commit, by a session hook, in the same request (the lock is released by then), and
2. failing that (the process died, rendering raised), by the delivery pass, just before sending:
   ``deliver_pending`` never sends a message whose attachment is still a placeholder.

Renderers are registered by name with ``attachment_renderer``; each gets a database session and the
argument given when the message was queued (e.g. a registration id) and returns the file's bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from move_events.extensions import db
from move_events.outbox.models import OutboxAttachment

DEFERRED_TYPE = "application/x-move-events-deferred"  # a placeholder's content type, never sent
_PENDING_KEY = "outbox_deferred_attachment_ids"

Renderer = Callable[[Session, str], bytes]
_RENDERERS: dict[str, Renderer] = {}


class DeferredRenderError(RuntimeError):
    """A placeholder names no known renderer, or is damaged; the delivery records it as a failure."""


@dataclass(frozen=True)
class DeferredAttachment:
    """A file rendered after commit by the renderer ``renderer`` from ``argument``."""

    filename: str
    content_type: str
    renderer: str
    argument: str


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


def render_attachment(session: Session, attachment: OutboxAttachment) -> None:
    """Replace the placeholder by the rendered file (in ``session``; the caller commits)."""
    try:
        spec = json.loads(attachment.data)
        renderer = _RENDERERS[spec["renderer"]]
        content_type = spec["content_type"]
        argument = spec["argument"]
    except (ValueError, KeyError, TypeError) as error:
        raise DeferredRenderError(f"Cannot render attachment {attachment.filename!r}: {error!r}") from error
    data = renderer(session, argument)
    attachment.data, attachment.content_type = data, content_type


def render_deferred(session: Session, attachments: Iterable[OutboxAttachment]) -> int:
    """Render every placeholder among ``attachments``; how many there were."""
    waiting = [attachment for attachment in attachments if is_deferred(attachment)]
    with session.no_autoflush:
        for attachment in waiting:
            render_attachment(session, attachment)
    return len(waiting)


def note_deferred(session: Session, attachments: Iterable[OutboxAttachment]) -> None:
    """Remember the (flushed) placeholders of this transaction, to render once it commits."""
    ids = [attachment.id for attachment in attachments if is_deferred(attachment)]
    if ids:
        session.info.setdefault(_PENDING_KEY, []).extend(ids)


@event.listens_for(Session, "after_commit")
def _render_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if not ids or not has_app_context():
        return  # no app (nothing to render with): the delivery pass renders them
    try:
        with Session(db.engine) as own:
            rows = own.scalars(
                select(OutboxAttachment).where(
                    OutboxAttachment.id.in_(ids), OutboxAttachment.content_type == DEFERRED_TYPE
                )
            ).all()
            for attachment in rows:
                render_attachment(own, attachment)
            own.commit()
    except Exception:  # the change itself is committed; the delivery pass renders what is left
        current_app.logger.exception("Rendering attachments after commit failed; delivery will retry")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
