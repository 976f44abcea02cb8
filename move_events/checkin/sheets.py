"""The printable sign-in sheet: an A4 table of an event's confirmed registrations, for signatures.

Rendered from templates/pdf/sign_in_sheet.html with WeasyPrint. The event's title, dates and venue
sit in the table's head, which WeasyPrint repeats on every page; page numbers are in a margin box.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from move_events.badges.pdf import direction, event_dates
from move_events.countries import country_name
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.pdf import render_pdf
from move_events.registration.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    organisation: str
    country: str


def sheet_registrations(event: Event) -> list[Registration]:
    """The event's confirmed registrations, by family name then given name (ignoring case:
    "von Weber" sorts among the V's, not after the Z's)."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Registration.person)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(func.lower(Person.family_name), func.lower(Person.given_name), Registration.id)
            .options(selectinload(Registration.person).selectinload(Person.organisation))
        )
    )


def sheet_rows(registrations: list[Registration]) -> list[SheetRow]:
    rows = []
    for number, registration in enumerate(registrations, start=1):
        person = registration.person
        organisation = person.organisation
        rows.append(
            SheetRow(
                number=number,
                name=", ".join(part for part in (person.family_name, person.given_name) if part),
                organisation=organisation.name if organisation else "",
                country=country_name(organisation.country) if organisation and organisation.country else "",
            )
        )
    return rows


_CSS_UNSAFE = frozenset("\"'\\<>&")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that is safe inside a ``<style>`` element.

    Users' text (an event's title) goes in: quotes, backslashes and line breaks would end the CSS
    string, and ``<``/``>`` could close the ``<style>`` element itself (``</style><link …>``), which
    the HTML parser ends at the first ``</style`` whatever the CSS says. Each of them, ``&`` and every
    non-printable character becomes a CSS escape (``\\3c `` for ``<``): still the same text in the PDF.
    """
    escaped = "".join(c if c.isprintable() and c not in _CSS_UNSAFE else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def page_counter_css() -> str:
    """The CSS ``content`` for "Page X of Y" in the current language, e.g. ``"Page " counter(page) …``."""
    text = _("Page %(page)s of %(pages)s", page="\x00page\x00", pages="\x00pages\x00")
    parts = []
    for index, piece in enumerate(text.split("\x00")):
        if index % 2:
            parts.append(f"counter({'pages' if piece == 'pages' else 'page'})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def venue_line(event: Event) -> str:
    place = [event.venue, event.city, country_name(event.country) if event.country else ""]
    return ", ".join(part for part in place if part)


def render_sign_in_sheet_html(event: Event) -> str:
    return render_template(
        "pdf/sign_in_sheet.html",
        event=event,
        dates=event_dates(event),
        venue=venue_line(event),
        rows=sheet_rows(sheet_registrations(event)),
        page_counter=page_counter_css(),
        css_footer=css_string(f"{event.title} · {_('Sign-in sheet')}"),
        lang=str(get_locale() or "en"),
        direction=direction,
    )


def render_sign_in_sheet(event: Event) -> bytes:
    """The sign-in sheet of ``event`` as a PDF, labels in the current locale."""
    html = render_sign_in_sheet_html(event)
    return render_pdf(html)
