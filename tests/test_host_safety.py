"""Links that leave the site (e-mails, their .ics) always start with BASE_URL, and requests addressed to
another host are refused (issue #13): ``POST /events/<slug>/link`` with ``Host: evil.example`` once
mailed the participant ``http://evil.example/r/<token>``."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from sqlalchemy import select

from move_events.extensions import db as _db
from move_events.meetings.request_mails import notify_meeting
from move_events.outbox.models import OutboxMessage
from tests.factories import make_event, meeting_between, participant_at, register
from tests.support import make_test_app

BASE_URL = "https://events.example.org"
EMAIL = "amina@atlas-solaire.example"


def messages() -> list[OutboxMessage]:
    return list(_db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mailed_text(message: OutboxMessage) -> str:
    return message.body_text + message.body_html


def ask_for_link(client, slug: str, **request):
    return client.post(f"/events/{slug}/link", data={"email": EMAIL}, **request)


@pytest.fixture
def base_url(app, monkeypatch) -> str:
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["events.example.org", "localhost"])
    return BASE_URL


@pytest.fixture
def any_host(app, monkeypatch) -> None:
    """Host names unchecked (TRUSTED_HOSTS None): what reaches the mails must still be BASE_URL."""
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", None)


def test_link_request_to_an_untrusted_host_is_refused(client, db, base_url):
    event = make_event(published=True)
    register(event, email=EMAIL)
    before = len(messages())
    response = ask_for_link(client, event.slug, base_url="http://evil.example")
    assert response.status_code == 400
    assert len(messages()) == before  # nothing queued


def test_link_request_to_the_public_host_is_answered(client, db, base_url):
    event = make_event(published=True)
    register(event, email=EMAIL)
    assert ask_for_link(client, event.slug, base_url=BASE_URL).status_code == 302
    assert f"{BASE_URL}/r/" in messages()[-1].body_text


def test_mailed_link_ignores_the_requests_host(client, db, base_url, any_host):
    event = make_event(published=True)
    register(event, email=EMAIL)
    assert ask_for_link(client, event.slug, base_url="http://evil.example").status_code == 302
    link_mail = messages()[-1]
    assert link_mail.kind == "registration_link"
    assert f"{BASE_URL}/r/" in link_mail.body_text
    assert "evil.example" not in mailed_text(link_mail)


def test_confirmation_and_its_ics_carry_base_url_links(app, db, base_url, any_host):
    event = make_event(published=True)
    with app.test_request_context(base_url="http://evil.example"):
        register(event, email=EMAIL)
    (confirmation,) = [m for m in messages() if m.kind == "registration_confirmed"]
    assert f"{BASE_URL}/r/" in confirmation.body_text
    assert "evil.example" not in mailed_text(confirmation)
    (ics,) = [a for a in confirmation.attachments if a.filename.endswith(".ics")]
    entry = next(iter(Calendar.from_ical(ics.data).walk("VEVENT")))
    assert str(entry["URL"]) == f"{BASE_URL}/events/{event.slug}"


def test_meeting_request_mail_carries_base_url_links(app, db, base_url, any_host):
    from tests.meetings.planning_support import brokerage

    event = brokerage()
    a, b = participant_at(event, "Amina"), participant_at(event, "Bruno")
    meeting = meeting_between(a, b)
    with app.test_request_context(base_url="http://evil.example"):
        notify_meeting(meeting, "requested", to=b)
    mail = messages()[-1]
    assert mail.kind == "meeting_requested"
    assert f"{BASE_URL}/r/" in mail.body_text
    assert "evil.example" not in mailed_text(mail)


def test_the_request_itself_is_untouched_by_mail_links(app, db, base_url, any_host):
    """Only url_for builds on BASE_URL within the block: the request, its host and g stay as they were."""
    from flask import g, request, url_for

    from move_events.outbox.services import email_url_context

    with app.test_request_context("/events/", base_url="http://door.local"):
        g.marker = "kept"
        with email_url_context():
            inside = url_for("events.public_list", _external=True)
            assert (request.host, g.marker) == ("door.local", "kept")
        after = url_for("events.public_list", _external=True)
    assert (inside, after) == (f"{BASE_URL}/events/", "http://door.local/events/")


# --- behind a reverse proxy: a forged X-Forwarded-Host --------------------------------------------------


@pytest.fixture
def proxied_app(tmp_path):
    """An app that trusts one proxy's X-Forwarded-* headers (ProxyFix wraps it when it is made)."""
    app = make_test_app(f"sqlite:///{tmp_path}/proxied.sqlite", TRUSTED_PROXIES=1, BASE_URL=BASE_URL)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def test_forged_forwarded_host_is_refused(proxied_app):
    event = make_event(published=True)
    register(event, email=EMAIL)
    before = len(messages())
    client = proxied_app.test_client()
    response = ask_for_link(client, event.slug, headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 400
    assert len(messages()) == before


def test_forged_forwarded_host_never_reaches_a_mail(proxied_app):
    proxied_app.config["TRUSTED_HOSTS"] = None
    event = make_event(published=True)
    register(event, email=EMAIL)
    client = proxied_app.test_client()
    response = ask_for_link(client, event.slug, headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 302
    link_mail = messages()[-1]
    assert f"{BASE_URL}/r/" in link_mail.body_text
    assert "evil.example" not in mailed_text(link_mail)
