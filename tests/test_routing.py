"""URL guards: numbers too large for an id, NUL bytes."""

import pytest


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_ids_beyond_the_integer_columns_are_404_not_500(client, auth, number):
    auth.login("organiser")
    assert client.get(f"/manage/events/{number}").status_code == 404
    assert client.get(f"/manage/events/{2**31 - 1}").status_code == 404  # the largest id: a lookup


def test_report_up_to_the_last_day_of_the_calendar(client, auth):
    auth.login("organiser")
    response = client.get("/reports/events.csv?date_to=9999-12-31")
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("target_country,")
