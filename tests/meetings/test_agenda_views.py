"""Agenda pages through the app: the participant's page, PDF and .ics behind their personal link; the
organisers' agenda PDF and table plan, for those who manage the event only."""

from __future__ import annotations

from datetime import UTC

import pypdfium2 as pdfium
import pytest
from icalendar import Calendar

from move_events.auth.models import Role
from move_events.auth.services import create_user
from move_events.directory.models import Organisation, OrganisationKind
from move_events.extensions import db as _db
from move_events.registration.models import RegistrationStatus
from tests.meetings.agenda_support import agenda_event, meeting, person_at, scheduled, slot_start, token_for
from tests.support import PASSWORD


def pdf_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [document[index].get_textpage().get_text_range() for index in range(len(document))]
    finally:
        document.close()


@pytest.fixture
def day(app, db, auth):
    """An event run by the logged-in organiser's cluster: Amira meets Bruno (slot 0, table 2) and has an
    accepted meeting with Dalia waiting for a time; Bruno also meets Chiara (slot 1)."""
    cluster = Organisation(name="Sofia Energy Cluster", kind=OrganisationKind.CLUSTER, country="BG")
    _db.session.add(cluster)
    _db.session.commit()
    event = agenda_event(created_by=auth.user(Role.ORGANISER), organiser=cluster)
    amira = person_at(event, "Amira", "Haddad", organisation="Atlas Hydrogen")
    bruno = person_at(event, "Bruno", "Rossi", organisation="Rossi Solar", country="IT")
    chiara = person_at(event, "Chiara", "Bianchi", organisation="Bianchi Wind", country="IT")
    dalia = person_at(event, "Dalia", "Nour", organisation="Nour Storage", country="EG")
    scheduled(amira, bruno, 0, table=2)
    scheduled(bruno, chiara, 1, table=1)
    meeting(dalia, amira)
    return {"event": event, "amira": amira, "bruno": bruno, "chiara": chiara, "dalia": dalia}


def test_agenda_page_lists_meetings_in_local_time_with_downloads(app, client, day):
    token = token_for(app, day["amira"])
    response = client.get(f"/r/{token}/agenda")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bruno Rossi" in page and "Rossi Solar" in page and "Italy" in page
    assert "9:00\u202fAM – 9:25\u202fAM" in page  # 06:00 UTC in Sofia
    assert "Dalia Nour" in page and "waiting for a time" in page
    assert "Chiara" not in page  # Bruno's other meeting is not Amira's business
    assert f"/r/{token}/agenda.pdf" in page and f"/r/{token}/agenda.ics" in page
    assert "not scheduled the meetings yet" not in page
    assert response.headers["Cache-Control"] == "private, no-store"


def test_agenda_page_says_when_the_organiser_has_not_scheduled_yet(app, client, db):
    event = agenda_event()
    amira, dalia = person_at(event, "Amira"), person_at(event, "Dalia", "Nour")
    meeting(dalia, amira)
    page = client.get(f"/r/{token_for(app, amira)}/agenda").get_data(as_text=True)
    assert "not scheduled the meetings yet" in page
    assert "Dalia Nour" in page
    assert "agenda.pdf" not in page  # nothing to download yet


@pytest.mark.parametrize("case", ["pending", "no_meetings"])
def test_agenda_is_only_for_confirmed_participants_of_meeting_events(app, client, db, case):
    event = agenda_event() if case == "pending" else agenda_event(has_meetings=False, sessions=[])
    status = RegistrationStatus.PENDING if case == "pending" else RegistrationStatus.CONFIRMED
    registration = person_at(event, status=status)
    token = token_for(app, registration)
    for path in ("agenda", "agenda.pdf", "agenda.ics"):
        response = client.get(f"/r/{token}/{path}")
        assert response.status_code == 404
        assert "No meeting agenda" in response.get_data(as_text=True)


def test_agenda_downloads_hold_the_persons_meetings(app, client, day):
    token = token_for(app, day["amira"])
    response = client.get(f"/r/{token}/agenda.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.data)[0]
    assert "Amira Haddad" in text and "Bruno Rossi" in text and "9:00" in text
    response = client.get(f"/r/{token}/agenda.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    (entry,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert entry.decoded("dtstart").astimezone(UTC) == slot_start(0)
    assert "Bruno Rossi" in str(entry["summary"])


def test_a_personal_link_opens_only_its_own_agenda(app, client, day):
    chiara_page = client.get(f"/r/{token_for(app, day['chiara'])}/agenda").get_data(as_text=True)
    assert "Bruno Rossi" in chiara_page and "Amira" not in chiara_page and "Dalia" not in chiara_page
    chiara_ics = client.get(f"/r/{token_for(app, day['chiara'])}/agenda.ics").data.decode()
    assert "Amira" not in chiara_ics
    forged = token_for(app, day["amira"])[:-3] + "xyz"
    for path in ("agenda", "agenda.pdf", "agenda.ics"):
        response = client.get(f"/r/{forged}/{path}")
        assert response.status_code == 404 and "Amira" not in response.get_data(as_text=True)


def test_organiser_prints_one_participants_agenda(app, client, auth, day):
    auth.login(Role.ORGANISER)
    event, bruno = day["event"], day["bruno"]
    response = client.get(f"/manage/events/{event.id}/agendas/{bruno.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)[0]
    assert "Bruno Rossi" in text and "Amira Haddad" in text and "Chiara Bianchi" in text
    other_event = agenda_event(title="Another brokerage")
    stranger = person_at(other_event, "Zora")
    assert client.get(f"/manage/events/{event.id}/agendas/{stranger.id}.pdf").status_code == 404


def test_table_plan_page_and_pdf(app, client, auth, day):
    """The PDF is a print job (tests/badges/test_table_plan_job.py): the page's button starts it."""
    auth.login(Role.ORGANISER)
    event = day["event"]
    page = client.get(f"/manage/events/{event.id}/table-plan").get_data(as_text=True)
    assert page.index("Amira Haddad") < page.index("Chiara Bianchi")  # slot 0 before slot 1
    assert "9:00\u202fAM – 9:25\u202fAM" in page and "1 of 3 tables in use" in page
    assert f"/manage/events/{event.id}/agendas/{day['amira'].id}.pdf" in page
    assert f'action="/manage/events/{event.id}/table-plan-jobs"' in page
    assert client.get(f"/manage/events/{event.id}/table-plan.pdf").status_code == 404


def _organiser_paths(day) -> list[str]:
    event = day["event"]
    return [
        f"/manage/events/{event.id}/agendas/{day['amira'].id}.pdf",
        f"/manage/events/{event.id}/table-plan",
    ]


def test_staff_cannot_open_organiser_agendas(client, auth, day):
    auth.login(Role.STAFF)
    for path in _organiser_paths(day):
        assert client.get(path).status_code == 403, path


def test_organiser_of_another_partner_cluster_is_refused(client, db, day):
    other_cluster = Organisation(name="Lisbon Mobility Cluster", kind=OrganisationKind.CLUSTER, country="PT")
    db.session.add(other_cluster)
    user = create_user(email="other.organiser@example.org", password=PASSWORD, role=Role.ORGANISER)
    user.partner_cluster = other_cluster
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    for path in _organiser_paths(day):
        assert client.get(path).status_code == 403, path
