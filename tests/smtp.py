"""A real SMTP server on loopback for tests (aiosmtpd), and the ``smtp_server`` fixture that points the
application at it.

``SMTPServer`` listens on 127.0.0.1 on a free port and keeps every message it accepts as an
``email.message.EmailMessage`` (with ``X-MailFrom`` and ``X-RcptTo`` headers added from the envelope).
``stop()`` then ``start()`` again uses the same port: an outage and its recovery. ``refuse_with`` makes
it answer every message with an error (e.g. "451 4.3.0 Try again later"); ``hold()`` keeps it from
answering until ``release()`` (to show that nobody waits for it; ``wait_until_holding()`` returns once
a sender is stuck).

``smtp_server`` (a fixture) starts one, configures the ``app`` fixture's Flask-Mail for it (MAIL_SERVER,
MAIL_PORT, MAIL_SUPPRESS_SEND off), and undoes both afterwards, once background deliveries are over.
Expose it in a conftest with ``from tests.smtp import smtp_server  # noqa: F401``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from move_events.extensions import mail
from move_events.outbox.delivery import wait_for_background_deliveries

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class SMTPServer:
    """A loopback SMTP server that collects what it receives; stoppable and restartable."""

    def __init__(self, port: int | None = None) -> None:
        self.host = HOST
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.refuse_with: str | None = None
        self._controller: Controller | None = None
        self._received = threading.Condition()
        self._open = threading.Event()
        self._open.set()
        self._holding = threading.Event()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Listen (again) on the same port; a stopped controller's loop is closed, so a new one is made."""
        if self._controller is None:
            controller = Controller(self, hostname=self.host, port=self.port, ready_timeout=5.0)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        """Stop listening: connections are refused from now on, as when the server is down."""
        self.release()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self) -> None:
        """Accept connections but answer no message until ``release()``."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()
        self._holding.clear()

    def wait_until_holding(self, timeout: float = 5.0) -> None:
        """Return once a message is held (its sender is waiting for the answer to its DATA)."""
        if not self._holding.wait(timeout):
            pytest.fail(f"no message was held within {timeout} s")

    def clear(self) -> None:
        with self._received:
            self.messages.clear()

    def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The messages once at least ``count`` have arrived; fails the test after ``timeout`` seconds."""
        with self._received:
            if not self._received.wait_for(lambda: len(self.messages) >= count, timeout):
                pytest.fail(f"expected {count} e-mail(s) within {timeout} s, got {len(self.messages)}")
            return list(self.messages)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        while not self._open.is_set():
            self._holding.set()
            await asyncio.sleep(0.01)
        if self.refuse_with:
            return self.refuse_with
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-MailFrom"] = envelope.mail_from
        message["X-RcptTo"] = ", ".join(envelope.rcpt_tos)
        with self._received:
            self.messages.append(message)
            self._received.notify_all()
        return "250 Message accepted for delivery"

    def __enter__(self) -> SMTPServer:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


_MISSING = object()


def configure_mail(app: Flask, **settings) -> dict:
    """Set Flask-Mail's configuration and rebuild its state (read once, at ``init_app``); returns the
    previous values for ``restore_mail``."""
    previous = {key: app.config.get(key, _MISSING) for key in settings}
    app.config.update(settings)
    mail.init_app(app)
    return previous


def restore_mail(app: Flask, previous: dict) -> None:
    for key, value in previous.items():
        if value is _MISSING:
            app.config.pop(key, None)
        else:
            app.config[key] = value
    mail.init_app(app)


def mail_settings(server: SMTPServer) -> dict:
    return {
        "MAIL_SERVER": server.host,
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SUPPRESS_SEND": False,  # Flask-Mail's default under TESTING is to send nothing
        "MAIL_TIMEOUT": 5,
    }


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SMTPServer]:
    """A running loopback SMTP server, with the app's mail settings pointing at it for this test."""
    server = SMTPServer()
    server.start()
    previous = configure_mail(app, **mail_settings(server))
    try:
        yield server
    finally:
        server.release()
        idle = wait_for_background_deliveries(app, timeout=10.0)
        server.stop()
        restore_mail(app, previous)
        assert idle, "a background delivery was still running after the test"
