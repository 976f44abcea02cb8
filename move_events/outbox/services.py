"""Outbox rules: queue an e-mail in the person's language, deliver what is due, retry what failed.

Every e-mail is written to the outbox first, in the same transaction as the change that caused it, and
delivered afterwards: a registration never fails because the SMTP server is down, a rolled-back change
sends nothing, and a message that could not go out stays queued with its error until it does.

Delivery happens in three places, all through ``deliver_pending``: right after a request that queued
mail (a background thread, see ``init_app``), ``flask --app move_events outbox worker`` (the production
loop, which also retries) and ``outbox send`` / the admin page's button (one pass). Without MAIL_SERVER
(the demo) nothing is sent: admins read the messages in the outbox page.

Configuration, besides Flask-Mail's settings:

- ``BASE_URL``: the site's public address, for links in e-mails queued outside a request (CLI, worker).
- ``MAIL_TIMEOUT``: seconds to wait for the SMTP server before counting an attempt as failed (30).
- ``OUTBOX_DELIVER_AFTER_REQUEST``: deliver in a background thread after a request that queued mail (True).
"""

from __future__ import annotations

import re
import smtplib
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

import flask_mail
from flask import Flask, Response, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import Template, TemplateNotFound
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, defer

from move_events.db_types import normalise_email, utcnow
from move_events.extensions import db
from move_events.outbox.deferred import (
    DEFERRED_TYPE,
    DeferredAttachment,
    note_deferred,
    placeholder_data,
    render_deferred,
)
from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from move_events.registration.models import Registration

MAX_ATTEMPTS = 10
# Wait after the 1st, 2nd, ... failed attempt: quick retries for a blip, then hours for an outage
# (about three days in all before a message is marked failed and needs an admin).
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720, 1440, 1440))
DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # where ``make run`` serves the demo
DEFAULT_MAIL_TIMEOUT = 30.0

# SQLite cannot lock rows: one delivery pass at a time per process keeps two threads from sending the
# same message (SQLite is the single-process demo; PostgreSQL locks rows, see ``_next_due``).
_SQLITE_DELIVERY_LOCK = threading.Lock()


class OutboxError(Exception):
    """A rule of the outbox was broken; the message is shown to the user."""


@dataclass(frozen=True)
class Attachment:
    """A file to send with an e-mail (a badge PDF, an .ics), kept in the outbox with the message."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class DeliveryReport:
    """One delivery pass: messages sent, attempts that failed, messages still queued afterwards."""

    sent: int
    failed: int
    remaining: int


# --- queueing -----------------------------------------------------------------------------------------


_mail_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


@contextmanager
def no_mail() -> Iterator[None]:
    """Within this block the notification functions queue nothing (and render no attachments).

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
    (a badge PDF) is rendered right after that commit, outside the caller's locks (outbox/deferred.py).
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
    note_deferred(db.session, message.attachments)
    _note_queued()
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
    """Make ``url_for(..., _external=True)`` work for e-mails, inside a request or not.

    Inside a request, links use the address the request came to. Outside one (CLI, worker, background
    thread) Flask cannot know the site's address: a request context on ``BASE_URL`` is pushed (set it to
    the public address, e.g. ``https://events.example.org``; a path prefix is kept).
    """
    if has_request_context():
        yield
        return
    base_url = current_app.config.get("BASE_URL") or DEFAULT_BASE_URL
    with current_app.test_request_context(base_url=base_url):
        yield


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
    _note_queued()


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


def delivery_configured() -> bool:
    """Without MAIL_SERVER (the demo default) messages stay in the outbox, readable by admins."""
    return bool(current_app.config.get("MAIL_SERVER"))


# --- delivering ---------------------------------------------------------------------------------------


def deliver_pending(*, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due messages through Flask-Mail, one at a time, committing each one.

    This is the one function that commits, in a session of its own (never the caller's work): a
    message is marked sent in the same breath as the SMTP server accepts it, so that it is never sent
    twice. On PostgreSQL each message is claimed with ``FOR UPDATE SKIP LOCKED``: two workers never
    send the same one. A failed attempt is recorded on the message (error, attempts, next attempt
    after ``RETRY_DELAYS``) and after ``MAX_ATTEMPTS`` the message is marked failed. When the server
    cannot be reached the pass stops: the other messages wait for the next one, untouched.
    Messages queued in the caller's transaction are not seen: commit them first (views do).
    """
    now = now or utcnow()
    if not delivery_configured():
        return DeliveryReport(sent=0, failed=0, remaining=_count_queued(db.session))
    engine = db.engine
    serialise = _SQLITE_DELIVERY_LOCK if engine.dialect.name == "sqlite" else nullcontext()
    sent = failed = 0
    done: list[int] = []
    sender = _Sender(current_app.extensions["mail"], current_app.config.get("MAIL_TIMEOUT"))
    with serialise, Session(engine) as session:
        try:
            while sent + failed < limit:
                message = session.scalars(_next_due(now, done)).first()
                if message is None:
                    break
                done.append(message.id)
                # Nothing is written before the SMTP conversation: on SQLite a write would lock the
                # whole database (every registration) for as long as the server takes to answer.
                try:
                    render_deferred(session, message.attachments)  # not rendered after its commit
                    sender.send(_mail_message(message))
                except Exception as error:
                    failed += 1
                    _record_failure(message, error, now)
                    session.commit()
                    if _server_unreachable(error):
                        break
                    continue
                message.attempts += 1
                message.status = OutboxStatus.SENT
                message.sent_at = now
                session.commit()
                sent += 1
        finally:
            sender.close()
        remaining = _count_queued(session)
    return DeliveryReport(sent=sent, failed=failed, remaining=remaining)


def _next_due(now: datetime, done: list[int]) -> Select:
    """The oldest due message, locked for this worker and skipped by others (PostgreSQL; SQLite ignores
    the lock clause, and ``_SQLITE_DELIVERY_LOCK`` serialises passes instead)."""
    stmt = select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now
    )
    if done:
        stmt = stmt.where(OutboxMessage.id.not_in(done))
    return (
        stmt.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


def _count_queued(session: Session) -> int:
    stmt = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)
    return session.scalar(stmt) or 0


def _mail_message(message: OutboxMessage) -> flask_mail.Message:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    mail_message = flask_mail.Message(
        subject=message.subject,
        recipients=[message.to_address],
        body=message.body_text,
        html=message.body_html or None,
        sender=sender,
        attachments=[flask_mail.Attachment(a.filename, a.content_type, a.data) for a in message.attachments],
        # RFC 3834: no auto-replies to a machine; the language helps screen readers and filters.
        extra_headers={"Auto-Submitted": "auto-generated", "Content-Language": message.language},
    )
    mail_message.msgId = _message_id(message, sender)
    return mail_message


def _message_id(message: OutboxMessage, sender: str | tuple[str, str]) -> str:
    """The same Message-ID at every attempt: should a message ever go out twice (the process died
    between the server's "OK" and the commit), mail programs show it once."""
    address = sender[1] if isinstance(sender, tuple) else parseaddr(sender)[1]
    domain = address.rpartition("@")[2] or "localhost"
    return f"<outbox.{message.id}.{int(message.created_at.timestamp())}@{domain}>"


def _record_failure(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = _error_text(error)[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
    else:
        message.next_attempt_at = now + RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"


def _server_unreachable(error: Exception) -> bool:
    """Network and server-wide errors (refused, timed out, bad login, sender refused) hit every message
    alike; a refused recipient or message is this message's own problem."""
    return isinstance(error, OSError) and not isinstance(
        error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError
    )


class _TimeoutConnection(flask_mail.Connection):
    """Flask-Mail's connection with a timeout: a silent server must not hang the worker for ever."""

    timeout: float = DEFAULT_MAIL_TIMEOUT

    def configure_host(self) -> smtplib.SMTP:
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=self.timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class _Sender:
    """One SMTP connection for a whole pass, opened on first use and reopened after any error."""

    def __init__(self, state, timeout: float | None) -> None:
        self.state = state
        self.timeout = float(timeout or DEFAULT_MAIL_TIMEOUT)
        self.connection: _TimeoutConnection | None = None

    def send(self, message: flask_mail.Message) -> None:
        try:
            if self.connection is None:
                connection = _TimeoutConnection(self.state)
                connection.timeout = self.timeout
                self.connection = connection.__enter__()  # MAIL_SUPPRESS_SEND: no host, nothing sent
            self.connection.send(message)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        host = self.connection.host if self.connection else None
        self.connection = None
        if host is not None:
            try:
                host.quit()
            except (smtplib.SMTPException, OSError):
                host.close()


# --- delivery right after a request -------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Deliver, in a background thread, what a request queued, as soon as its response is made.

    Nobody waits for the SMTP server, and a confirmation arrives within seconds rather than at the
    worker's next pass. Off with ``OUTBOX_DELIVER_AFTER_REQUEST = False`` (the worker still delivers).
    Calling it twice does nothing more.
    """
    if "outbox" in app.extensions:
        return
    app.extensions["outbox"] = BackgroundDelivery(app)
    app.after_request(_deliver_after_request)


def wait_for_background_deliveries(app: Flask, timeout: float = 10.0) -> bool:
    """Wait until the background delivery of ``app`` is idle (tests); False on timeout."""
    background = app.extensions.get("outbox")
    return background.wait(timeout) if background else True


def _note_queued() -> None:
    if has_request_context():
        g.outbox_queued = True


def _deliver_after_request(response: Response) -> Response:
    config = current_app.config
    if (
        g.pop("outbox_queued", False)
        and delivery_configured()
        and config.get("OUTBOX_DELIVER_AFTER_REQUEST", True)
    ):
        current_app.extensions["outbox"].start()
    return response


class BackgroundDelivery:
    """At most one delivery thread per application at a time: requests that queue mail while it runs
    ask it for one more pass instead of starting threads of their own (no pile-up under load)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._again = True
                return
            thread = self._thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)
        thread.start()

    def _run(self) -> None:
        while True:
            try:
                with self.app.app_context():
                    deliver_pending()
            except Exception:  # the worker retries; a thread must not die with a traceback on stderr
                self.app.logger.exception("Delivering the outbox after a request failed")
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
                self._again = False

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return True
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                return False
