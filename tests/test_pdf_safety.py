"""No PDF can be made to read the server's files or fetch URLs: users' text stays text, and WeasyPrint's
URL fetcher (move_events/pdf.py) reads only the app's static files and data: URLs.

An organiser once could put ``</style><link rel=attachment href=file:///proc/self/environ><style>`` in an
event's title: the sign-in sheet's page footer (a CSS string) let it out of the ``<style>`` element, and
WeasyPrint embedded the server's environment, SECRET_KEY included, into the PDF as an attachment.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from move_events.auth.models import Role
from move_events.badges.jobs import run_print_job, start_table_plan_job
from move_events.checkin.sheets import css_string
from move_events.extensions import db as _db
from move_events.pdf import RefusedURL, StaticOnlyFetcher, render_pdf, url_fetcher
from tests.factories import make_event
from tests.meetings.agenda_support import agenda_event, person_at, scheduled

HOSTILE_TITLES = [
    "</style><link rel=attachment href=file:///proc/self/environ><style>",
    "</STYLE ><link rel=attachment href=/etc/hostname><style>",  # relative to the static folder's base
    '<img src=file:///etc/passwd> "quoted" \\ back',
    "@import url(file:///etc/passwd); x",
    "</title><link rel=attachment href=file:///etc/passwd>",
]


def embedded_files(data: bytes) -> list[str]:
    """Names of the files a PDF carries: document attachments and file-attachment annotations."""
    reader = PdfReader(io.BytesIO(data))
    found = list(reader.attachments)
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/EmbeddedFiles")
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            if annotation.get_object().get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment")
    return found


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(params=HOSTILE_TITLES, ids=["style-breakout", "relative-href", "img", "import", "title"])
def hostile(request, app, db, auth):
    """A B2B event whose organiser gave it a hostile title (two people meet at table 1), and a past
    event with that title for the KPI report."""
    organiser = auth.user(Role.ORGANISER)
    event = agenda_event(created_by=organiser)
    amira = person_at(event, "Amira", "Haddad", organisation="Atlas Hydrogen")
    bruno = person_at(event, "Bruno", "Rossi", organisation="Rossi Solar", country="IT")
    scheduled(amira, bruno, 0, table=1)
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)
    past = make_event(published=True, created_by=organiser, starts_at=starts)
    event.title = past.title = request.param  # what the organiser typed in the event form
    _db.session.commit()
    auth.login(Role.ORGANISER)
    return {"event": event, "amira": amira, "title": request.param}


def _downloads(client, hostile) -> dict[str, bytes]:
    event = hostile["event"]
    paths = {
        "sign-in sheet": f"/manage/events/{event.id}/sign-in-sheet.pdf",
        "badges": f"/manage/events/{event.id}/badges.pdf",
        "agenda": f"/manage/events/{event.id}/agendas/{hostile['amira'].id}.pdf",
        "KPI report": "/reports/report.pdf",
    }
    pdfs = {}
    for what, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/pdf", what
        pdfs[what] = response.data
    return pdfs


def test_hostile_event_titles_embed_no_file_in_any_pdf(app, client, hostile, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", False)
    monkeypatch.setitem(app.config, "PRINT_JOB_PROCESSES", 1)
    pdfs = _downloads(client, hostile)
    job = start_table_plan_job(event=hostile["event"], user=None)
    _db.session.commit()
    job = run_print_job(job.id)
    assert job.error == ""
    pdfs["table plan"] = job.pdf
    secret = app.config["SECRET_KEY"]
    for what, data in pdfs.items():
        assert embedded_files(data) == [], what
        assert secret.encode() not in data, what
    # Escaped, the title is still the title: printed as typed, in the sheet's header and footer.
    sheet = text_of(pdfs["sign-in sheet"])
    assert sheet.count(hostile["title"].split(">")[0]) >= 1


def test_css_string_cannot_end_the_string_or_the_style_element():
    quoted = css_string("</style>\"'\\\n&<x> Ünïcode")
    assert quoted == '"\\3c /style\\3e \\22 \\27 \\5c \\a \\26 \\3c x\\3e  Ünïcode"'


def test_the_fetcher_refuses_files_outside_static_and_every_remote_url(app):
    with app.app_context():
        fetcher = url_fetcher()
    static = fetcher.static_folder
    for url in (
        "file:///etc/passwd",
        "file:///proc/self/environ",
        f"file://{static}/../move_events/config.py",
        f"file://{static}/%2e%2e/pyproject.toml",
        f"file://example.org{static}/css/app.css",
        "http://example.org/",
        "https://example.org/logo.png",
        "ftp://example.org/file",
        f"file://{static}",  # the folder itself
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls(app):
    with app.app_context():
        fetcher = url_fetcher()
    name = next(
        os.path.join(folder, file)
        for folder, _dirs, files in os.walk(fetcher.static_folder)
        for file in files
    )
    with open(name, "rb") as file:
        expected = file.read()
    response = fetcher.fetch(f"file://{name}")
    assert response.read() == expected
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_render_pdf_leaves_out_what_the_fetcher_refuses(app):
    html = (
        "<html><head><link rel=attachment href=file:///etc/passwd>"
        "<link rel=stylesheet href=http://example.org/x.css></head>"
        "<body><p>Hello</p><img src=file:///etc/passwd></body></html>"
    )
    with app.test_request_context():
        data = render_pdf(html)
    assert embedded_files(data) == []
    assert "Hello" in text_of(data)


def test_a_fetcher_without_a_static_folder_reads_no_file():
    with pytest.raises(RefusedURL):
        StaticOnlyFetcher(None).fetch("file:///etc/passwd")
