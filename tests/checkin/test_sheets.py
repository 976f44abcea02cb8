"""The printable sign-in sheet: A4, confirmed registrations only, every script legible, more pages
for more people, organisers only."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from move_events.auth.models import Role
from move_events.checkin.sheets import css_string, page_counter_css
from move_events.directory.models import OrganisationKind
from move_events.extensions import db as _db
from move_events.registration.models import RegistrationStatus
from move_events.registration.services import NewOrganisation
from tests.factories import make_event, register
from tests.support import pdf_left_edge

PEOPLE = [
    ("Lucía", "Rodríguez", "ES", "Clúster de la Energía de Extremadura"),
    ("Десислава", "Николова", "BG", "Български клъстер за чиста енергия"),
    ("فاطمة", "العلوي", "MA", "مجموعة الطاقات المتجددة"),
]


@pytest.fixture
def event(db):
    return make_event(published=True, title="Hydrogen Days Casablanca", capacity=None, venue="Technopark")


def add_people(event, people=PEOPLE):
    registrations = []
    for given, family, country, organisation in people:
        registrations.append(
            register(
                event,
                given_name=given,
                family_name=family,
                organisation=NewOrganisation(name=organisation, kind=OrganisationKind.SME, country=country),
            )
        )
    return registrations


def pdf_pages_and_text(data: bytes) -> tuple[int, list[str], tuple[float, float]]:
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            size = page.get_size()
            textpage.close()
            page.close()
        return len(document), texts, size
    finally:
        document.close()


def test_sign_in_sheet_lists_confirmed_people_in_every_script(client, auth, event):
    auth.login(Role.ORGANISER)
    add_people(event)
    for status in (RegistrationStatus.CANCELLED, RegistrationStatus.WAITLISTED):
        other = register(event, given_name="Hidden", family_name=f"Person {status.value}")
        other.status = status
    _db.session.commit()

    response = client.get(f"/manage/events/{event.id}/sign-in-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    pages, texts, (width, height) = pdf_pages_and_text(response.data)
    assert pages == 1
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    text = texts[0]
    for given, family, _country, organisation in PEOPLE:
        assert given in text and family in text
        assert all(word in text for word in organisation.split())  # long names wrap in their cell
    assert "Spain" in text and "Bulgaria" in text and "Morocco" in text
    assert "Hidden" not in text
    assert "Hydrogen Days Casablanca" in text and "Technopark" in text
    assert "signature" in text.lower() and "Page 1 of 1" in text
    assert "\ufffd" not in text


def test_sign_in_sheet_lines_up_arabic_text_with_its_column(client, auth, event):
    auth.login(Role.ORGANISER)
    add_people(event)
    data = client.get(f"/manage/events/{event.id}/sign-in-sheet.pdf").data
    # Right-aligned, the Arabic name and organisation sat against the next column's text.
    assert abs(pdf_left_edge(data, "العلوي, فاطمة") - pdf_left_edge(data, "Rodríguez, Lucía")) < 3
    assert abs(pdf_left_edge(data, "مجموعة الطاقات المتجددة") - pdf_left_edge(data, "Clúster")) < 3


def test_sign_in_sheet_grows_with_the_event_and_repeats_its_header(client, auth, event):
    auth.login(Role.ORGANISER)
    people = [(f"Given{n:02d}", f"Family{n:02d}", "MA", "Cluster Solaire") for n in range(80)]
    add_people(event, people)
    response = client.get(f"/manage/events/{event.id}/sign-in-sheet.pdf")
    pages, texts, _size = pdf_pages_and_text(response.data)
    assert pages >= 3
    for number, text in enumerate(texts, start=1):
        assert "Hydrogen Days Casablanca" in text and "signature" in text.lower()
        assert f"Page {number} of {pages}" in text
    joined = "\n".join(texts)
    positions = [joined.index(f"Family{n:02d}") for n in range(80)]
    assert positions == sorted(positions)  # by family name
    assert "80" in texts[-1]


def test_an_empty_sheet_says_so(client, auth, event):
    auth.login(Role.ORGANISER)
    _pages, texts, _size = pdf_pages_and_text(client.get(f"/manage/events/{event.id}/sign-in-sheet.pdf").data)
    assert "No confirmed registrations yet." in texts[0]


def test_sign_in_sheet_is_for_organisers(client, auth, event):
    url = f"/manage/events/{event.id}/sign-in-sheet.pdf"
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    auth.login(Role.STAFF)
    assert client.get(url).status_code == 403
    assert "sign-in-sheet.pdf" not in client.get(f"/checkin/{event.id}").get_data(as_text=True)
    auth.logout()
    auth.login(Role.ORGANISER)
    assert client.get("/manage/events/999999/sign-in-sheet.pdf").status_code == 404
    assert url in client.get(f"/checkin/{event.id}").get_data(as_text=True)
    assert url in client.get(f"/manage/events/{event.id}/registrations/").get_data(as_text=True)


def test_css_strings_are_escaped(app):
    assert css_string('A "quoted" \\ title') == '"A \\22 quoted\\22  \\5c  title"'
    with app.test_request_context():
        assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'
