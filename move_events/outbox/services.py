"""Outbox rules: queue an e-mail in the person's language; find and requeue messages.

Every e-mail is written to the outbox first, in the same transaction as the change that caused it, and
delivered afterwards: a registration never fails because the SMTP server is down, a rolled-back change
sends nothing, and a message that could not go out stays queued with its error until it does.

Delivery is ``outbox/delivery.py``. Without MAIL_SERVER (the demo) nothing is sent: admins read the
messages in the outbox page.

Configuration, besides Flask-Mail's settings:

- ``BASE_URL``: the site's public address; every link in an e-mail starts with it (``email_url_context``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, render_template
from flask.globals import request_ctx
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import Template, TemplateNotFound
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import defer
from werkzeug.routing import MapAdapter

from move_events.db_types import normalise_email, utcnow
from move_events.extensions import db
from move_events.outbox.deferred import (
    DEFERRED_TYPE,
    DeferredAttachment,
    placeholder_data,
)
from move_events.outbox.delivery import note_queued
from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from move_events.registration.models import Registration

DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # where ``make run`` serves the demo (config.DEMO_BASE_URL)


class OutboxError(Exception):
    """A rule of the outbox was broken; the message is shown to the user."""


@dataclass(frozen=True)
class Attachment:
    """A file to send with an e-mail (a badge PDF, an .ics), kept in the outbox with the message."""

    filename: str
    content_type: str
    data: bytes


# --- queueing -----------------------------------------------------------------------------------------


_mail_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


@contextmanager
def no_mail() -> Iterator[None]:
    """Within this block the notification functions queue nothing.

    For bulk work whose people must not be mailed, such as seeding the demo's past events. A context
    variable, so it holds only for the code running inside the block (not for other threads' requests).
    """
    token = _mail_suppressed.set(True)
    try:
        yield
    finally:
        _mail_suppressed.reset(token)


def mail_suppressed() -> bool:
    return _mail_suppressed.get()


def queue_email(
    *,
    to: str,
    template: str,
    subject: object,
    context: dict,
    language: str = "en",
    kind: str = "",
    registration: Registration | None = None,
    attachments: Sequence[Attachment | DeferredAttachment] = (),
) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` (and ``.html`` when it exists) and queue the message.

    Rendering happens now, in ``language`` (``_()``, dates and the lazy ``subject`` alike), so that the
    outbox shows exactly what will be sent and a later change of templates cannot alter it. Flushes;
    the caller's commit makes the message real, and it goes out after that. A ``DeferredAttachment``
    (a badge PDF) is rendered at delivery, outside the caller's transaction and request
    (outbox/deferred.py).
    """
    address = normalise_email(to)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", address):
        raise OutboxError(_l("%(address)s is not an e-mail address.", address=to))
    language = email_language(language)
    with email_url_context(), force_locale(language):
        # One line (a newline would break the header); other spacing, such as the no-break space French
        # puts before a colon, is kept.
        subject_text = re.sub(r"\s*[\r\n]+\s*", " ", str(subject)).strip()
        body_text = _tidy_text(render_template(f"email/{template}.txt", **context))
        html_template = _optional_template(f"email/{template}.html")
        body_html = render_template(html_template, **context) if html_template else ""
    message = OutboxMessage(
        to_address=address,
        subject=subject_text[:300],
        body_text=body_text,
        body_html=body_html,
        language=language,
        kind=kind,
        status=OutboxStatus.QUEUED,
        attempts=0,
        last_error="",
        next_attempt_at=utcnow(),
        attachments=[_stored_attachment(attachment) for attachment in attachments],
    )
    if registration is not None:
        if registration.id is None:
            db.session.flush()
        message.registration_id = registration.id
    db.session.add(message)
    db.session.flush()
    note_queued()
    return message


def email_language(language: str | None) -> str:
    """The interface language closest to ``language`` ("fr-FR" gives "fr"), else the default one.

    A language the partnership does not offer would give English words with that language's dates and
    month names: the default language reads better.
    """
    languages: list[str] = current_app.config["LANGUAGES"]
    code = (language or "").strip().replace("-", "_")
    for candidate in (code, code.split("_")[0].lower()):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def email_url_context() -> Iterator[None]:
    """Within this block every ``url_for`` builds on ``BASE_URL``, inside a request or not.

    Links in e-mails (and in the .ics and PDFs attached to them) must never take the address a request
    came to: a request sent with ``Host: evil.example`` (or a forged X-Forwarded-Host) would otherwise
    mail the participant a personal link to someone else's server. So the current request context keeps
    its request, ``g``, session, user and locale; only its URL adapter (what ``url_for`` builds with) is
    swapped, for the block, for one bound to ``BASE_URL`` (a path prefix is kept). Outside a request
    (CLI, worker, background thread) a request context on ``BASE_URL`` is pushed first.
    """
    adapter = public_url_adapter(current_app)
    if has_request_context():
        context = request_ctx._get_current_object()  # the object itself, not the proxy
        previous, context.url_adapter = context.url_adapter, adapter
        try:
            yield
        finally:
            context.url_adapter = previous
        return
    with current_app.test_request_context(base_url=public_base_url(current_app)) as context:
        context.url_adapter = adapter  # even if TRUSTED_HOSTS leaves BASE_URL's host out
        yield


def public_base_url(app: Flask) -> str:
    return (app.config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def public_url_adapter(app: Flask) -> MapAdapter:
    """A URL adapter for the site's public address (``BASE_URL``), whatever request is running."""
    parts = urlsplit(public_base_url(app))
    return app.url_map.bind(
        parts.netloc,
        script_name=parts.path or "/",
        subdomain=app.url_map.default_subdomain or "",
        url_scheme=parts.scheme,
    )


def _optional_template(name: str) -> Template | None:
    """The template, or None when it does not exist (a missing *included* template is still an error)."""
    try:
        return current_app.jinja_env.get_template(name)
    except TemplateNotFound as error:
        if error.name != name:
            raise
        return None


def _tidy_text(text: str) -> str:
    """A plain-text body without the trailing spaces and blank-line runs that template tags leave.

    The signature separator "-- " keeps its space (RFC 3676): mail programs recognise it by it.
    """
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _stored_attachment(attachment: Attachment | DeferredAttachment) -> OutboxAttachment:
    content_type = attachment.content_type.strip()
    if not re.fullmatch(r"[\w.+-]+/[\w.+-]+", content_type):
        content_type = "application/octet-stream"  # the MIME part could not be built otherwise
    filename = " ".join(attachment.filename.replace("/", "_").replace("\\", "_").split())
    if isinstance(attachment, DeferredAttachment):
        data = placeholder_data(
            DeferredAttachment(filename, content_type, attachment.renderer, attachment.argument)
        )
        return OutboxAttachment(filename=filename[:200], content_type=DEFERRED_TYPE, data=data)
    return OutboxAttachment(filename=filename[:200], content_type=content_type, data=bytes(attachment.data))


def requeue(message: OutboxMessage) -> None:
    """Give a failed (or waiting) message a fresh round of attempts, due now.

    An admin does this once the cause is fixed (the SMTP settings, a full mailbox). A sent message is
    never sent again: the update is conditional, so a worker that sends it meanwhile wins.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status != OutboxStatus.SENT)
        .values(status=OutboxStatus.QUEUED, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(message)
    if result.rowcount == 0:
        raise OutboxError(_l("This message was sent already: it is not sent twice."))
    note_queued()


# --- reading ------------------------------------------------------------------------------------------


def search_messages(*, status: OutboxStatus | None = None, q: str = "") -> Select:
    """Messages, newest first, optionally of one status and matching ``q`` in address, subject or kind."""
    stmt = select(OutboxMessage).options(defer(OutboxMessage.body_text), defer(OutboxMessage.body_html))
    if status is not None:
        stmt = stmt.where(OutboxMessage.status == status)
    if q.strip():
        term = q.strip()
        stmt = stmt.where(
            or_(
                OutboxMessage.to_address.icontains(term, autoescape=True),
                OutboxMessage.subject.icontains(term, autoescape=True),
                OutboxMessage.kind.icontains(term, autoescape=True),
            )
        )
    return stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())


def count_by_status() -> dict[OutboxStatus, int]:
    """How many messages each status holds (zero included), for the outbox page's filter."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({status: number for status, number in rows})
    return counts
