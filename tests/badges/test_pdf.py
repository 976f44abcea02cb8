"""Badge PDFs: page counts per layout, QR codes that scan back to the tokens, real glyphs for
Latin, Cyrillic and Arabic names (DejaVu fonts embedded, no missing-glyph boxes)."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp

from move_events.badges.pdf import SHEETS, BadgeLayout, direction, render_badges, size_class
from move_events.badges.tokens import make_badge_token
from move_events.directory.models import OrganisationKind
from move_events.registration.models import RegistrationRole
from move_events.registration.services import NewOrganisation
from tests.factories import make_event, register

PEOPLE = [
    ("Lucía", "Rodríguez", "ES", "Clúster de la Energía de Extremadura", RegistrationRole.PARTICIPANT),
    ("Десислава", "Николова", "BG", "Български клъстер за чиста енергия", RegistrationRole.SPEAKER),
    ("فاطمة الزهراء", "العلوي", "MA", "مجموعة الطاقات المتجددة", RegistrationRole.PRESS),
]
PAGES = {BadgeLayout.A6: 3, BadgeLayout.A4_QUAD: 1, BadgeLayout.NAME_TAGS: 1}


@pytest.fixture
def registrations(db):
    event = make_event(published=True, title="Hydrogen Days Casablanca")
    people = []
    for given, family, country, organisation, role in PEOPLE:
        registration = register(
            event,
            given_name=given,
            family_name=family,
            organisation=NewOrganisation(name=organisation, kind=OrganisationKind.SME, country=country),
        )
        registration.role = role
        people.append(registration)
    db.session.commit()
    return people


@pytest.fixture
def render(app, registrations):
    def render(layout: BadgeLayout) -> pdfium.PdfDocument:
        with app.test_request_context():
            return pdfium.PdfDocument(render_badges(registrations, layout=layout))

    return render


def _pages(document: pdfium.PdfDocument):
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        yield page, textpage
        textpage.close()
        page.close()


def _fonts(textpage) -> set[str]:
    names = set()
    for index in range(textpage.count_chars()):
        size = pdfium_raw.FPDFText_GetFontInfo(textpage, index, None, 0, None)
        buffer = ctypes.create_string_buffer(size)
        pdfium_raw.FPDFText_GetFontInfo(textpage, index, buffer, size, None)
        names.add(buffer.value.decode())
    return names - {""}


@pytest.mark.parametrize("layout", list(BadgeLayout))
def test_badges_pdf_pages_qr_codes_and_glyphs(render, registrations, layout):
    document = render(layout)
    try:
        assert len(document) == PAGES[layout]
        decoded, text, fonts = [], "", set()
        for page, textpage in _pages(document):
            width, height = page.get_size()
            assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == tuple(
                round(side) for side in SHEETS[layout].page
            )
            image = page.render(scale=2).to_pil()  # 144 dpi, coarser than any printer
            decoded += [barcode.text for barcode in zxingcpp.read_barcodes(image)]
            text += textpage.get_text_range() + "\n"
            fonts |= _fonts(textpage)
    finally:
        document.close()
    assert sorted(decoded) == sorted(make_badge_token(registration) for registration in registrations)
    for given, family, _country, _organisation, _role in PEOPLE:
        assert given in text or given.split()[0] in text
        assert family in text
    assert "\ufffd" not in text and "\x00" not in text
    assert {"Participant", "Speaker", "Press"} <= {word.title() for word in text.split()}  # role as text
    assert fonts and all("DejaVu" in name for name in fonts), fonts


def test_badges_in_another_language_label_roles_and_countries(app, registrations):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("fr"):
        document = pdfium.PdfDocument(render_badges(registrations[:1], layout=BadgeLayout.A6))
    try:
        text = "".join(textpage.get_text_range() for _page, textpage in _pages(document))
    finally:
        document.close()
    assert "Espagne" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Lucía", "ltr"), ("Десислава", "ltr"), ("فاطمة", "rtl"), ("  (فاطمة)", "rtl"), ("123", "ltr")],
)
def test_direction_follows_the_first_strong_letter(text, expected):
    assert direction(text) == expected


def test_size_class_shrinks_long_text():
    assert size_class("Li", long=14, very_long=22) == ""
    assert size_class("x" * 15, long=14, very_long=22) == "long"
    assert size_class("x" * 23, long=14, very_long=22) == "very-long"


def test_name_tags_fit_on_a4():
    sheet = SHEETS[BadgeLayout.NAME_TAGS]
    assert len(sheet.slots) == 8
    for left, top in sheet.slots:
        assert left >= 10 and top >= 10
        assert left + sheet.badge[0] <= 200 and top + sheet.badge[1] <= 287
