"""Delivering the outbox: send what is due, retry what failed, right after requests and in the worker.

Delivery happens in three places, all through ``deliver_pending``: right after a request that queued
mail (a background thread, see ``init_app``), ``flask --app move_events outbox worker`` (the production
loop, which also retries) and ``outbox send`` / the admin page's button (one pass).

Configuration, besides Flask-Mail's settings:

- ``MAIL_TIMEOUT``: seconds to wait for the SMTP server before counting an attempt as failed (30).
- ``OUTBOX_DELIVER_AFTER_REQUEST``: deliver in a background thread after a request that queued mail (True).
"""

from __future__ import annotations

import smtplib
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

import flask_mail
from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from move_events.db_types import utcnow
from move_events.extensions import db
from move_events.outbox.deferred import render_deferred, render_due
from move_events.outbox.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 10
# Wait after the 1st, 2nd, ... failed attempt: quick retries for a blip, then hours for an outage
# (about three days in all before a message is marked failed and needs an admin).
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720, 1440, 1440))

DEFAULT_MAIL_TIMEOUT = 30.0

# SQLite cannot lock rows: one delivery pass at a time per process keeps two threads from sending the
# same message (SQLite is the single-process demo; PostgreSQL locks rows, see ``_next_due``).
_SQLITE_DELIVERY_LOCK = threading.Lock()


@dataclass(frozen=True)
class DeliveryReport:
    """One delivery pass: messages sent, attempts that failed, messages still queued afterwards."""

    sent: int
    failed: int
    remaining: int


def note_queued() -> None:
    """A request queued mail: deliver it right after the response (``init_app``)."""
    if has_request_context():
        g.outbox_queued = True


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

    Attachments queued as placeholders (badge PDFs, outbox/deferred.py) are rendered first, in
    batches, and stored: a message whose file cannot be rendered counts as a failed attempt and the
    others go out.
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
        renders = render_due(engine, now=now, limit=limit)
        try:
            while sent + failed < limit:
                message = session.scalars(_next_due(now, done)).first()
                if message is None:
                    break
                done.append(message.id)
                # Nothing is written before the SMTP conversation: on SQLite a write would lock the
                # whole database (every registration) for as long as the server takes to answer.
                try:
                    if message.id in renders.errors:
                        raise renders.errors[message.id]  # not rendered twice in one pass
                    render_deferred(session, message.attachments)  # queued since ``render_due``
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
