"""The report's downloads: the partnership's CSV contract, the XLSX read back, the PDF's text, bad filters."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from move_events.auth.models import Role
from move_events.directory.models import OrganisationKind
from move_events.events.models import EventCategory
from move_events.reports.exports import events_csv
from move_events.reports.report import Report
from move_events.reports.rows import MeetingOutcomes, ReportFilter, TableARow
from tests.reports.helpers import attendee, build_scenario, days_ago, organisation, past_event

EVENTS_CSV = (
    "target_country,preparatory_events,c2c_events,c2c_meetings,b2b_events,b2b_meetings\r\n"
    "Morocco,1,0,1,1,1\r\n"
    "Brazil,0,1,0,0,0\r\n"
    "No target country,0,0,0,0,0\r\n"
    "Total,1,1,1,1,1\r\n"
)
STAKEHOLDERS_CSV = (
    "target_country,eu_clusters,eu_smes,third_country_clusters,third_country_smes,other\r\n"
    "Morocco,1,1,1,1,0\r\n"
    "Brazil,0,0,1,0,0\r\n"
    "No target country,0,0,0,0,0\r\n"
    "Total,1,1,2,1,0\r\n"
)
EXPORTS = ["/reports/events.csv", "/reports/stakeholders.csv", "/reports/report.xlsx", "/reports/report.pdf"]


@pytest.fixture
def scenario(db):
    return build_scenario()


@pytest.fixture
def organiser(auth, db):
    return auth.login(Role.ORGANISER)


def test_events_csv_is_table_a_with_the_partnerships_header(client, organiser, scenario):
    response = client.get("/reports/events.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="events.csv"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True) == EVENTS_CSV


def test_stakeholders_csv_is_table_b_with_the_partnerships_header(client, organiser, scenario):
    response = client.get("/reports/stakeholders.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == STAKEHOLDERS_CSV


def test_csv_names_countries_in_english_whatever_the_language(client, organiser, scenario):
    client.get("/reports/?lang=fr")  # the session now speaks French
    assert "Maroc" in client.get("/reports/").get_data(as_text=True)
    assert client.get("/reports/events.csv").get_data(as_text=True) == EVENTS_CSV


def test_csv_takes_the_page_filters_as_query_parameters(client, organiser, scenario):
    since = days_ago(15).date().isoformat()
    text = client.get(f"/reports/events.csv?date_from={since}&target_country=MA").get_data(as_text=True)
    assert text == (
        "target_country,preparatory_events,c2c_events,c2c_meetings,b2b_events,b2b_meetings\r\n"
        "Morocco,0,0,1,1,1\r\n"
        "Total,0,0,1,1,1\r\n"
    )
    text = client.get(f"/reports/stakeholders.csv?partner_cluster={scenario.beta.id}").get_data(as_text=True)
    assert text.splitlines()[1:] == ["Morocco,0,0,0,0,0", "Brazil,0,0,1,0,0", "No target country,0,0,0,0,0",
                                     "Total,0,0,1,0,0"]  # fmt: skip


def test_csv_counts_events_without_target_country_in_their_own_row(client, organiser, scenario):
    event = past_event("Online info day", EventCategory.PREPARATORY, None, scenario.alpha, 3)
    attendee(event, organisation("Brussels SME", OrganisationKind.SME, "BE"))
    lines = client.get("/reports/events.csv").get_data(as_text=True).splitlines()
    assert lines[3:] == ["No target country,1,0,0,0,0", "Total,2,1,1,1,1"]
    lines = client.get("/reports/stakeholders.csv").get_data(as_text=True).splitlines()
    assert lines[3:] == ["No target country,0,1,0,0,0", "Total,1,2,2,1,0"]


def test_xlsx_holds_every_table_a_sheet_each(client, organiser, scenario):
    response = client.get(f"/reports/report.xlsx?partner_cluster={scenario.alpha.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "Events and meetings",
        "Stakeholders",
        "Attendance",
        "Meeting outcomes",
        "Filters",
    ]
    assert [list(row) for row in book["Events and meetings"].iter_rows(values_only=True)] == [
        ["target_country", "preparatory_events", "c2c_events", "c2c_meetings", "b2b_events", "b2b_meetings"],
        ["Morocco", 1, 0, 1, 1, 1],
        ["Brazil", 0, 0, 0, 0, 0],
        ["No target country", 0, 0, 0, 0, 0],
        ["Total", 1, 0, 1, 1, 1],
    ]
    stakeholders = list(book["Stakeholders"].iter_rows(values_only=True))
    assert stakeholders[1] == ("Morocco", 1, 1, 1, 1, 0)
    attendance = list(book["Attendance"].iter_rows(values_only=True))
    assert [row[1] for row in attendance[1:]] == ["Casablanca workshop", "Casablanca brokerage"]
    workshop = dict(zip(attendance[0], attendance[1], strict=True))
    assert (workshop["confirmed"], workshop["attended"]) == (3, 2)
    assert workshop["attendance_rate"] == pytest.approx(2 / 3)
    assert workshop["no_show_rate"] is None
    assert list(book["Meeting outcomes"].iter_rows(values_only=True)) == [
        ("completed", "cooperation_possible", "negotiation_started", "agreement_reached"),
        (2, 1, 0, 1),
    ]
    filters = dict(book["Filters"].iter_rows(min_row=2, values_only=True))
    assert filters["partner_cluster"] == str(scenario.alpha.id)
    assert filters["date_from"] is None


def test_xlsx_keeps_a_formula_like_event_title_as_text(client, organiser, db):
    alpha = organisation("Alpha", OrganisationKind.CLUSTER, "ES")
    past_event('=HYPERLINK("http://evil.example","x")', EventCategory.B2B, "MA", alpha, 2)
    book = load_workbook(io.BytesIO(client.get("/reports/report.xlsx").data))
    cell = book["Attendance"]["B2"]
    assert cell.value == '=HYPERLINK("http://evil.example","x")'
    assert cell.data_type == "s"


def pdf_text(data: bytes) -> tuple[list[str], tuple[float, float]]:
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            size = page.get_size()
            page.close()
        return texts, size
    finally:
        document.close()


def test_pdf_report_has_the_tables_charts_filters_and_date(client, organiser, scenario):
    response = client.get(f"/reports/report.pdf?target_country=MA&partner_cluster={scenario.alpha.id}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages, (width, height) = pdf_text(response.data)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(" ".join(page.split()) for page in pages)
    assert "KPI report" in text
    assert "Target country Morocco" in text  # the filters applied, in words
    assert "Partner cluster Alpha Energy Cluster" in text
    assert f"Generated on {days_ago(0):%b} " in text and str(days_ago(0).year) in text
    assert "Morocco 1 0 1 1 1" in text and "Total 1 0 1 1 1" in text  # table A
    assert "Morocco 1 1 1 1 0" in text  # table B
    assert "Events per target country" in text and "Stakeholders involved per target country" in text
    assert "Brazil" not in text  # filtered out, charts included
    assert "Casablanca workshop" in text  # attendance


def test_pdf_of_an_empty_report_says_so(client, organiser, db):
    pages, _size = pdf_text(client.get("/reports/report.pdf").data)
    assert "No event matching these filters has taken place yet." in " ".join(
        " ".join(p.split()) for p in pages
    )


@pytest.mark.parametrize("url", EXPORTS)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=31/12/2025", "date_from: Not a valid date value."),
        ("date_from=2025-06-02&date_to=2025-06-01", "date_to: The end date is before the start date."),
        ("partner_cluster=abc", "partner_cluster: Not a valid choice."),
        ("target_country=ZZ", "target_country: Not a valid choice."),
    ],
    ids=["date", "reversed", "partner", "country"],
)
def test_exports_refuse_bad_filters_with_a_clear_400(client, organiser, scenario, url, query, message):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", EXPORTS)
def test_exports_are_for_organisers_only(client, auth, db, url):
    assert "/auth/login" in client.get(url).headers["Location"]
    auth.login(Role.STAFF)
    assert client.get(url).status_code == 403


def test_demo_report_downloads_the_partnerships_reported_numbers(client, auth, runner):
    """Done when (issue 6): the demo's report gives the partnership's tables, in every download."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    auth.login(Role.ORGANISER)
    events = {
        line.split(",")[0]: line.split(",")[1:]
        for line in client.get("/reports/events.csv").text.splitlines()
    }
    assert events["Morocco"] == ["5", "3", "3", "2", "7"]
    assert events["Brazil"] == ["5", "2", "2", "1", "6"]
    rows = client.get("/reports/stakeholders.csv").text.splitlines()
    people = {line.split(",")[0]: line.split(",")[1:5] for line in rows}
    assert people["Morocco"] == ["7", "38", "3", "89"]
    assert people["Brazil"] == ["3", "15", "3", "7"]
    book = load_workbook(io.BytesIO(client.get("/reports/report.xlsx").data))
    assert list(book["Events and meetings"].iter_rows(min_row=2, max_row=3, values_only=True)) == [
        ("Morocco", 5, 3, 3, 2, 7),
        ("Brazil", 5, 2, 2, 1, 6),
    ]
    text = " ".join(" ".join(page.split()) for page in pdf_text(client.get("/reports/report.pdf").data)[0])
    assert "Morocco 5 3 3 2 7" in text and "Brazil 5 2 2 1 6" in text
    assert "Morocco 7 38 3 89" in text and "Brazil 3 15 3 7" in text


def test_csv_neutralises_a_formula_like_row_label():
    """Labels come from Babel, but an unknown target code is shown as typed: it must not run in Excel."""
    report = Report(
        report_filter=ReportFilter(),
        table_a=[TableARow(country="=1", label="=1+1", preparatory_events=1)],
        table_b=[],
        attendance=[],
        outcomes=MeetingOutcomes(
            completed=0, cooperation_possible=0, negotiation_started=0, agreement_reached=0
        ),
        generated_at=datetime.now(UTC),
    )
    assert events_csv(report).decode().splitlines()[1] == "'=1+1,1,0,0,0,0"
