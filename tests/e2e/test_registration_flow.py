"""The registration issue's promise: a person registers on a phone, gets the confirmation with the
.ics at a real SMTP server, cancels through the personal link, and the first waiting person is
promoted and mailed."""

import re
from email.message import EmailMessage

import pytest
from flask_babel import force_locale, gettext
from icalendar import Calendar

from tests.factories import make_event, register


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def attachments_of(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


@pytest.mark.phone
def test_register_on_phone_cancel_by_link_promotes_next(app, page, db, smtp_server, live_server):
    event = make_event(published=True, capacity=1, title="Green Hydrogen B2B Casablanca")
    page.goto(f"/events/{event.slug}")
    page.get_by_role("link", name="Register").first.click()

    page.get_by_label("First name", exact=True).fill("Amina")
    page.get_by_label("Last name", exact=True).fill("Benali")
    page.get_by_label("E-mail", exact=True).fill("amina@atlas-solaire.example")
    page.get_by_label("Organisation", exact=True).fill("Atlas Solaire SARL")
    page.get_by_label("Country of the organisation").select_option("MA")
    page.get_by_label("Type of organisation").select_option("sme")
    page.get_by_label("Language for e-mails and documents").select_option("en")
    page.get_by_label("I agree").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.get_by_role("button", name="Register").click()
    page.get_by_text("is confirmed").wait_for()

    confirmation = smtp_server.wait_for_messages(1, timeout=10)[0]
    assert confirmation["To"] == "amina@atlas-solaire.example"
    assert "Green Hydrogen B2B Casablanca" in confirmation["Subject"]
    ics = attachments_of(confirmation)[f"{event.slug}.ics"]
    assert next(iter(Calendar.from_ical(ics).walk("VEVENT")))["SUMMARY"] == "Green Hydrogen B2B Casablanca"

    waiting = register(
        event, email="joao@cerrado-energia.example", given_name="João", preferred_language="pt"
    )
    assert waiting.status.value == "waitlisted"

    link = re.search(r"https?://\S+/r/\S+", text_of(confirmation)).group(0)
    assert link.startswith(live_server)
    page.goto(link)
    page.get_by_text("Amina").first.wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel my registration").click()
    page.get_by_text("Your registration is cancelled").wait_for()

    # Amina's confirmation and cancellation; João's waiting-list notice and promotion.
    received = smtp_server.wait_for_messages(4, timeout=10)
    to_joao = [m["Subject"] for m in received if m["To"] == "joao@cerrado-energia.example"]
    with app.test_request_context(), force_locale("pt"):  # João reads Portuguese
        seat_free = gettext("A seat is free for you: %(event)s", event=event.title)
    assert len(to_joao) == 2 and seat_free in to_joao
    promotion = next(m for m in received if m["Subject"] == seat_free)
    assert f"{event.slug}.ics" in attachments_of(promotion)
    db.session.refresh(waiting)
    assert waiting.status.value == "confirmed"
