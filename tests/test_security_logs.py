"""No personal data in logs: registration, a door scan, failed e-mail deliveries, a meeting request and
the access log, all captured at DEBUG, never show an e-mail address, a personal-link token or a badge
token.

Two loggers are left out on purpose: ``sqlalchemy.engine`` (SQL echo, which prints query parameters by
design and is for debugging only: docs/security.md) and ``mail.log`` (the test's own SMTP server).
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.request

from sqlalchemy import select
from werkzeug.serving import make_server

from move_events.auth.models import Role
from move_events.badges.tokens import make_badge_token
from move_events.directory.models import Person
from move_events.outbox.delivery import deliver_pending, wait_for_background_deliveries
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration
from tests.meetings.requests_support import meeting_event, participant_of, token_for

NOT_THE_APPS = ("sqlalchemy.engine", "mail.log")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
FORMAT = logging.Formatter("%(name)s %(levelname)s %(message)s")


def logged_text(caplog) -> str:
    records = [r for r in caplog.records if not r.name.startswith(NOT_THE_APPS)]
    return "\n".join(FORMAT.format(record) for record in records)


def assert_no_personal_data(text: str, secrets: list[str]) -> None:
    assert EMAIL.findall(text) == [], text[-3000:]
    for secret in secrets:
        assert secret not in text, f"{secret[:12]}… in the logs:\n{text[-3000:]}"


def test_security_logs_hold_no_personal_data(app, client, auth, db, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    event = meeting_event(title="Green Hydrogen B2B Casablanca")
    amina = participant_of(event, "Amina")
    bruno = participant_of(event, "Bruno", country="BR")

    # A public registration, whose confirmation is refused by the SMTP server (naming the address).
    smtp_server.refuse_with = "550 5.1.1 <nadia.alaoui@example.ma>: mailbox unavailable"
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "given_name": "Nadia",
            "family_name": "Alaoui",
            "email": "nadia.alaoui@example.ma",
            "preferred_language": "fr",
            "organisation_name": "Atlas",
            "organisation_country": "MA",
            "organisation_kind": "sme",
            "role": "participant",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    assert wait_for_background_deliveries(app)
    # The SMTP server down: a retry fails differently.
    smtp_server.stop()
    deliver_pending()

    # A meeting request from a personal link (its e-mail to Bruno is queued, and fails too).
    amina_link = token_for(app, amina)
    asked = client.post(f"/r/{amina_link}/marketplace/{bruno.id}/request", data={"message": "Hydrogen?"})
    assert asked.status_code == 302
    assert wait_for_background_deliveries(app)

    # A door scan of Bruno's badge.
    badge = make_badge_token(bruno)
    auth.login(Role.STAFF)
    scan = client.post(f"/checkin/{event.id}/scan", json={"token": badge, "nonce": "n-1"})
    assert scan.status_code == 200 and scan.is_json

    nadia = db.session.scalar(
        select(Registration).join(Person).where(Person.email == "nadia.alaoui@example.ma")
    )
    assert nadia is not None
    failed = db.session.scalars(select(OutboxMessage)).all()
    assert len(failed) >= 2 and all(m.attempts >= 1 and m.last_error for m in failed)  # failures happened
    secrets = [amina_link, token_for(app, bruno), token_for(app, nadia), badge, make_badge_token(nadia)]
    secrets += [p.email for p in db.session.scalars(select(Person))]
    text = logged_text(caplog)
    assert "Nadia" not in text and "Alaoui" not in text
    assert_no_personal_data(text, secrets)


def test_security_access_log_hides_personal_link_tokens(app, db, caplog):
    """Werkzeug's (and gunicorn's) access log prints each URL: /r/<token> is logged as /r/[token]."""
    caplog.set_level(logging.DEBUG)
    registration = participant_of(meeting_event(), "Amina")
    token = token_for(app, registration)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in (f"/r/{token}", f"/r/{token}/agenda.ics", f"/r/{token}/meetings?x=1"):
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}") as response:
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join(timeout=5)
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len([line for line in access if "/r/[token]" in line]) == 3, access
    assert_no_personal_data(logged_text(caplog), [token])


def test_security_gunicorn_access_log_format_is_redacted_too(app):
    """gunicorn logs ``access_log_format % atoms``: the redaction works on the formatted line."""
    from move_events.security import RedactPersonalLinks

    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s',
        ({"h": "203.0.113.7", "r": "GET /r/abc.DEF-123_x/agenda HTTP/1.1", "s": "200"},), None,
    )  # fmt: skip
    assert RedactPersonalLinks().filter(record)
    assert record.getMessage() == '203.0.113.7 "GET /r/[token]/agenda HTTP/1.1" 200'
    assert RedactPersonalLinks in {type(f) for f in logging.getLogger("gunicorn.access").filters}
