"""Badge PDFs: HTML and print CSS (templates/pdf/) laid out by WeasyPrint.

Rendering takes about 0.1–0.3 s a badge: fine for one person's badge or a few hundred in a request;
a whole large event belongs in a background job.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.dates import format_interval
from flask import render_template
from flask_babel import get_locale

from move_events.badges.qr import qr_data_uri
from move_events.badges.tokens import make_badge_token
from move_events.countries import country_name
from move_events.events.models import Event
from move_events.labels import label
from move_events.pdf import render_pdf
from move_events.registration.models import Registration, RegistrationRole


class BadgeLayout(enum.StrEnum):
    A6 = "a6"  # one A6 badge a page, for badge holders
    A4_QUAD = "a4_quad"  # four A6 badges on an A4 sheet, with cut marks
    NAME_TAGS = "name_tags"  # eight 90 × 55 mm self-adhesive labels on an A4 sheet


@dataclass(frozen=True)
class Sheet:
    """A layout's page: its size and where each badge goes on it (millimetres)."""

    page: tuple[float, float]
    badge: tuple[float, float]
    slots: tuple[tuple[float, float], ...]  # top-left corner of each badge, in reading order
    cut_marks: bool = False


_A4 = (210.0, 297.0)
_LABEL = (90.0, 55.0)
_LABEL_MARGIN = ((_A4[0] - 2 * _LABEL[0]) / 2, (_A4[1] - 4 * _LABEL[1]) / 2)  # 15 mm, 38.5 mm

SHEETS: dict[BadgeLayout, Sheet] = {
    BadgeLayout.A6: Sheet(page=(105.0, 148.0), badge=(105.0, 148.0), slots=((0.0, 0.0),)),
    # A6 is 105 × 148 mm: four of them tile A4 with half a millimetre to spare, cut at 105 and 148.5 mm.
    BadgeLayout.A4_QUAD: Sheet(
        page=_A4,
        badge=(105.0, 148.5),
        slots=((0.0, 0.0), (105.0, 0.0), (0.0, 148.5), (105.0, 148.5)),
        cut_marks=True,
    ),
    BadgeLayout.NAME_TAGS: Sheet(
        page=_A4,
        badge=_LABEL,
        slots=tuple(
            (_LABEL_MARGIN[0] + column * _LABEL[0], _LABEL_MARGIN[1] + row * _LABEL[1])
            for row in range(4)
            for column in range(2)
        ),
    ),
}

ROLE_COLOURS = {  # dark enough for white text (contrast ≥ 4.5:1); the role's name is printed too
    RegistrationRole.PARTICIPANT: "#1d5fa8",
    RegistrationRole.SPEAKER: "#b3261e",
    RegistrationRole.ORGANISER: "#1e7b34",
    RegistrationRole.STAFF: "#3a3f44",
    RegistrationRole.PRESS: "#7a2c91",
}


@dataclass(frozen=True)
class Badge:
    """What one badge shows, already formatted in the current locale."""

    role: str
    role_label: str
    colour: str
    given_name: str
    family_name: str
    name_size: str  # CSS class: long names print smaller (CSS cannot shrink text to fit by itself)
    organisation: str
    organisation_size: str
    country: str
    event_title: str
    event_dates: str
    token: str
    qr: str


def size_class(text: str, *, long: int, very_long: int) -> str:
    """Empty for short text, "long" or "very-long" past those lengths; the CSS also wraps what is left."""
    if len(text) > very_long:
        return "very-long"
    return "long" if len(text) > long else ""


def direction(text: str) -> str:
    """ "rtl" when the text's first strong letter is Arabic or Hebrew, else "ltr".

    WeasyPrint does not resolve ``dir="auto"`` itself, so each block gets its direction spelled out.
    """
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def event_dates(event: Event) -> str:
    """The event's days in its own time zone, as "4–5 Jan 2027" in the current locale."""
    zone = ZoneInfo(event.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return format_interval(start.date(), end.date(), skeleton="yMMMd", locale=get_locale())


def badge_for(registration: Registration) -> Badge:
    person, event = registration.person, registration.event
    organisation = person.organisation
    longest = max(len(person.given_name), len(person.family_name))
    token = make_badge_token(registration)
    return Badge(
        role=registration.role.value,
        role_label=label(registration.role),
        colour=ROLE_COLOURS[registration.role],
        given_name=person.given_name,
        family_name=person.family_name,
        name_size=size_class("x" * longest, long=14, very_long=22),
        organisation=organisation.name if organisation else "",
        organisation_size=size_class(organisation.name if organisation else "", long=40, very_long=70),
        country=country_name(organisation.country) if organisation else "",
        event_title=event.title,
        event_dates=event_dates(event),
        token=token,
        qr=qr_data_uri(token),
    )


def _pages(badges: Sequence[Badge], per_page: int) -> list[Sequence[Badge]]:
    return [badges[start : start + per_page] for start in range(0, len(badges), per_page)]


def render_badges_html(registrations: Iterable[Registration], *, layout: BadgeLayout) -> str:
    sheet = SHEETS[BadgeLayout(layout)]
    badges = [badge_for(registration) for registration in registrations]
    return render_template(
        "pdf/badges.html",
        layout=BadgeLayout(layout),
        sheet=sheet,
        pages=_pages(badges, len(sheet.slots)),
        lang=str(get_locale() or "en"),
        direction=direction,
    )


def render_badges(registrations: Iterable[Registration], *, layout: BadgeLayout) -> bytes:
    """One PDF with the badges of ``registrations`` in ``layout``, labels in the current locale."""
    html = render_badges_html(registrations, layout=layout)
    return render_pdf(html)
