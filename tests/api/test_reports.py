"""/api/v1/reports: the KPI tables with the CSV export's filters, and the same numbers."""

from __future__ import annotations

import csv
import io

import pytest

from move_events.api.models import ApiScope
from move_events.auth.models import Role
from tests.api.conftest import assert_error
from tests.reports.helpers import build_scenario


@pytest.fixture
def scenario(db):
    return build_scenario()


def rows(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["label"]: row for row in response.get_json()["rows"]}


def test_table_a_matches_the_csv_export(api, auth, scenario):
    token = api.token(Role.ORGANISER, ApiScope.READ)
    table = rows(api.get("/api/v1/reports/events", token))
    morocco = table["Morocco"]
    assert (morocco["preparatory_events"], morocco["c2c_events"], morocco["c2c_meetings"],
            morocco["b2b_events"], morocco["b2b_meetings"]) == (1, 0, 1, 1, 1)  # fmt: skip
    assert table["Brazil"]["c2c_events"] == 1 and table["Total"]["is_total"] is True
    auth.login(Role.ORGANISER)
    exported = list(csv.reader(io.StringIO(api.client.get("/reports/events.csv").get_data(as_text=True))))
    by_label = {line[0]: line[1:] for line in exported[1:]}
    for label, row in table.items():
        numbers = [
            str(row[name])
            for name in ("preparatory_events", "c2c_events", "c2c_meetings", "b2b_events", "b2b_meetings")
        ]
        assert by_label[label][: len(numbers)] == numbers, label


def test_table_b_and_filters(api, scenario):
    token = api.token(Role.ORGANISER, ApiScope.READ)
    table = rows(api.get("/api/v1/reports/stakeholders", token))
    morocco = table["Morocco"]
    assert (morocco["eu_clusters"], morocco["eu_smes"], morocco["third_country_clusters"],
            morocco["third_country_smes"], morocco["total"]) == (1, 1, 1, 1, 4)  # fmt: skip
    assert table["Brazil"]["third_country_clusters"] == 1
    only_beta = rows(api.get(f"/api/v1/reports/events?partner_cluster={scenario.beta.id}", token))
    assert only_beta["Morocco"]["b2b_events"] == 0 and only_beta["Brazil"]["c2c_events"] == 1
    brazil = rows(api.get("/api/v1/reports/events?target_country=BR", token))
    assert set(brazil) == {"Brazil", "Total"}
    nothing = rows(api.get("/api/v1/reports/events?date_from=2000-01-01&date_to=2000-12-31", token))
    assert nothing["Total"]["preparatory_events"] == 0


@pytest.mark.parametrize(
    "query, field",
    [("date_from=2026-02-30", "date_from"), ("date_from=2026-05-02&date_to=2026-05-01", "date_to"),
     ("partner_cluster=abc", "partner_cluster"), ("target_country=Morocco", "target_country")],
)  # fmt: skip
def test_bad_filters_are_422(api, scenario, query, field):
    body = assert_error(
        api.get(f"/api/v1/reports/events?{query}", api.token(Role.ORGANISER, ApiScope.READ)), 422
    )
    assert field in body["errors"]["query"]


def test_a_partner_cluster_must_be_one(api, scenario):
    token = api.token(Role.ORGANISER, ApiScope.READ)
    not_partner = scenario.workshop.id + 10_000
    assert (
        "partner_cluster"
        in assert_error(api.get(f"/api/v1/reports/events?partner_cluster={not_partner}", token), 404)[
            "errors"
        ]["query"]
    )
