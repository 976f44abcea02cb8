"""The report page: who may open it, the partnership's tables from real work, filters, charts, empty state."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from move_events.auth.models import Role
from tests.reports.helpers import build_scenario, days_ago, page_tables

TABLE_A = "Events that have taken place, and completed meetings, per target country"
TABLE_B = "Distinct organisations that attended or held a completed meeting, per target country"
ATTENDANCE = "Attendance and no-shows per event"
OUTCOMES = "Outcomes of the completed meetings"


@pytest.fixture
def scenario(db):
    return build_scenario()


def report_page(client, **params) -> tuple[int, str]:
    response = client.get("/reports/", query_string=params)
    return response.status_code, response.get_data(as_text=True)


def rows_of(html: str, caption: str) -> dict[str, list[str]]:
    """Body rows of a table as {row label: cells}; the heading row is left out."""
    return {row[0]: row[1:] for row in page_tables(html)[caption][1:]}


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_report_page_opens_for_organisers_and_admins(client, auth, db, role):
    auth.login(role)
    status, html = report_page(client)
    assert status == 200
    assert "KPI report" in html


def test_report_page_refuses_door_staff(client, auth, db):
    auth.login(Role.STAFF)
    assert client.get("/reports/").status_code == 403


def test_report_page_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_report_page_shows_both_tables_counted_from_real_work(client, auth, scenario):
    auth.login()
    status, html = report_page(client)
    assert status == 200
    table_a = page_tables(html)[TABLE_A]
    assert table_a[0] == ["Target country", "Preparatory events", "C2C events", "C2C meetings", "B2B events",
                          "B2B meetings"]  # fmt: skip
    assert rows_of(html, TABLE_A) == {
        "Morocco": ["1", "0", "1", "1", "1"],
        "Brazil": ["0", "1", "0", "0", "0"],
        "No target country": ["0", "0", "0", "0", "0"],
        "Total": ["1", "1", "1", "1", "1"],
    }
    assert page_tables(html)[TABLE_B][0][1:] == [
        "EU clusters", "EU SMEs", "Third-country clusters and intermediary organisations",
        "Third-country SMEs and businesses", "Other",
    ]  # fmt: skip
    assert rows_of(html, TABLE_B) == {
        "Morocco": ["1", "1", "1", "1", "0"],
        "Brazil": ["0", "0", "1", "0", "0"],
        "No target country": ["0", "0", "0", "0", "0"],
        "Total": ["1", "1", "2", "1", "0"],
    }


def test_report_page_shows_attendance_no_shows_and_outcomes(client, auth, scenario):
    auth.login()
    html = report_page(client)[1]
    attendance = {row[0]: row[1:] for row in page_tables(html)[ATTENDANCE][1:]}
    workshop = attendance["Casablanca workshop Preparatory event"]
    assert workshop[2:] == ["3", "2", "67%", "0", "0", "—"]  # confirmed, attended, rate, meetings, no-shows
    brokerage = attendance["Casablanca brokerage B2B (brokerage)"]
    assert brokerage[5:] == ["2", "1", "33%"]
    assert "Future mission" not in html
    outcomes = dict(page_tables(html)[OUTCOMES])
    assert outcomes == {
        "Completed meetings": "2",
        "Cooperation possible": "1",
        "Negotiation started": "0",
        "Agreement reached": "1",
    }


def test_report_page_draws_accessible_charts(client, auth, scenario):
    auth.login()
    html = report_page(client)[1]
    for chart in ("chart-events", "chart-meetings", "chart-stakeholders"):
        assert f'id="{chart}"' in html
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert "<title>Morocco – C2C meetings: 1</title>" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]


@pytest.mark.parametrize(
    ("params", "morocco", "brazil"),
    [
        (
            {"date_from": days_ago(15).date().isoformat()},
            ["0", "0", "1", "1", "1"],
            ["0", "1", "0", "0", "0"],
        ),
        ({"date_to": days_ago(15).date().isoformat()}, ["1", "0", "0", "0", "0"], ["0", "0", "0", "0", "0"]),
        ({"target_country": "BR"}, None, ["0", "1", "0", "0", "0"]),
    ],
    ids=["date_from", "date_to", "target_country"],
)
def test_report_filters_change_the_numbers(client, auth, scenario, params, morocco, brazil):
    auth.login()
    status, html = report_page(client, **params)
    assert status == 200
    rows = rows_of(html, TABLE_A)
    assert rows.get("Morocco") == morocco
    assert rows["Brazil"] == brazil


def test_report_filter_by_partner_cluster_keeps_its_events_only(client, auth, scenario):
    auth.login()
    html = report_page(client, partner_cluster=scenario.beta.id)[1]
    assert rows_of(html, TABLE_A)["Total"] == ["0", "1", "0", "0", "0"]
    assert rows_of(html, TABLE_B)["Total"] == ["0", "0", "1", "0", "0"]
    assert "Beta Mobility Cluster" in html  # the filter in words
    assert f"partner_cluster={scenario.beta.id}" in html  # the download links keep it


def test_report_page_lists_partner_clusters_and_target_countries(client, auth, scenario):
    auth.login()
    html = report_page(client)[1]
    assert f'<option value="{scenario.alpha.id}">Alpha Energy Cluster</option>' in html
    assert '<option value="MA">Morocco</option>' in html


def test_report_page_explains_an_empty_report(client, auth, scenario):
    auth.login()
    html = report_page(client, date_from="2001-01-01", date_to="2001-12-31")[1]
    assert "No event matching these filters has taken place yet." in html
    assert 'id="chart-events"' not in html
    assert rows_of(html, TABLE_A)["Total"] == ["0", "0", "0", "0", "0"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2025-13-01"}, "Not a valid date value."),
        ({"date_from": "2025-06-02", "date_to": "2025-06-01"}, "The end date is before the start date."),
        ({"partner_cluster": "999999"}, "Not a valid choice."),
        ({"target_country": "XX"}, "Not a valid choice."),
    ],
)
def test_report_page_shows_bad_filters_next_to_fields(client, auth, scenario, params, message):
    auth.login()
    status, html = report_page(client, **params)
    assert status == 400
    assert message in html
    assert TABLE_A not in html


def test_report_page_names_countries_in_the_users_language(app, client, auth, scenario):
    auth.login()
    html = report_page(client, lang="fr")[1]
    with app.test_request_context(), force_locale("fr"):
        caption = gettext(TABLE_A)
    assert caption != TABLE_A  # the page is in French, captions included
    assert set(rows_of(html, caption)) >= {"Maroc", "Brésil"}
