"""Issue #8: a page, an e-mail and a badge in each language of the partnership, with dates in its form."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from babel.dates import format_date
from flask_babel import force_locale, gettext
from sqlalchemy import select

from move_events.outbox.deferred import render_deferred
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import RegistrationRole
from tests.factories import make_event, register

LANGUAGES = ("fr", "es", "pt", "bg", "it")


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    try:
        return " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def translated(app, language: str, text: str, **values) -> str:
    with app.test_request_context(), force_locale(language):
        result = gettext(text, **values)
    assert result != text % values if values else result != text, f"{text!r} is not translated in {language}"
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_page_in_the_chosen_language(app, client, language):
    event = make_event(published=True)
    html = client.get(f"/events/{event.slug}?lang={language}").get_data(as_text=True)
    assert f'<html lang="{language}"' in html
    assert translated(app, language, "Staff login") in html
    assert translated(app, language, "Register") in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_confirmation_mail_and_badge_in_the_persons_language(app, db, language):
    event = make_event(published=True)
    register(event, preferred_language=language, role=RegistrationRole.SPEAKER)
    message = db.session.scalar(select(OutboxMessage))
    assert message.subject == translated(
        app, language, "Your registration is confirmed: %(event)s", event=event.title
    )
    day = event.starts_at.astimezone(ZoneInfo(event.timezone)).date()
    assert format_date(day, "medium", locale=language) in message.body_text  # written the person's way
    (badge,) = [a for a in message.attachments if a.filename.startswith("badge-")]
    render_deferred(db.session, [badge])  # as the delivery does
    assert translated(app, language, "Speaker").upper() in pdf_text(badge.data)  # the band is in capitals
