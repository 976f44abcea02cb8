"""The marketplace through the app: who sees whom, filters, paging, and what is never shown."""

from __future__ import annotations

import pytest

from move_events.auth.models import Role
from move_events.directory.models import OrganisationKind
from move_events.extensions import db
from move_events.registration.models import RegistrationStatus
from tests.factories import make_event
from tests.meetings.requests_support import meeting_event, participant_of, token_for


@pytest.fixture
def market(app, db):
    event = meeting_event()
    me = participant_of(event, "Amina", offers="Port logistics", target_markets=["BR"])
    people = {
        "bruno": participant_of(
            event,
            "Bruno",
            country="BR",
            kind=OrganisationKind.CLUSTER,
            organisation="Cluster Naval do Sul",
            profile_sectors=["Shipbuilding"],
            offers="Ship design",
            target_markets=["MA"],
        ),
        "chen": participant_of(
            event,
            "Chen",
            country="MA",
            kind=OrganisationKind.RESEARCH,
            org_sectors=["Green hydrogen", "Énergie solaire"],
            requests="Electrolyser partners",
        ),
        "waiting": participant_of(event, "Wanda", status=RegistrationStatus.WAITLISTED),
        "elsewhere": participant_of(meeting_event(), "Xavier"),
    }
    return event, me, people, token_for(app, me)


def _names(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_marketplace_lists_the_other_confirmed_participants_only(client, market):
    _event, me, people, token = market
    page = _names(client.get(f"/r/{token}/marketplace"))
    assert people["bruno"].person.full_name in page and people["chen"].person.full_name in page
    assert me.person.full_name not in page  # not yourself
    assert people["waiting"].person.full_name not in page  # not confirmed
    assert people["elsewhere"].person.full_name not in page  # another event
    assert "Cluster Naval do Sul" in page and "Ship design" in page and "Shipbuilding" in page
    for registration in people.values():  # no contact details, ever
        assert registration.person.email not in page
    assert "+212600000000" not in page and "@example.org" not in page


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ({"q": "naval"}, "Bruno", "Chen"),
        ({"q": "electrolyser"}, "Chen", "Bruno"),
        ({"q": "énergie"}, "Chen", "Bruno"),  # inside a JSON list of sectors
        ({"q": "shipbuilding"}, "Bruno", "Chen"),
        ({"country": "BR"}, "Bruno", "Chen"),
        ({"kind": "research"}, "Chen", "Bruno"),
        ({"sector": "Green hydrogen"}, "Chen", "Bruno"),
        ({"sector": "Shipbuilding"}, "Bruno", "Chen"),
        ({"sector": "Énergie solaire"}, "Chen", "Bruno"),
        ({"market": "MA"}, "Bruno", "Chen"),
    ],
)
def test_marketplace_filters(client, market, query, found, not_found):
    *_, token = market
    page = _names(client.get(f"/r/{token}/marketplace", query_string=query))
    assert f"{found} Tester" in page
    assert f"{not_found} Tester" not in page


def test_marketplace_pages(app, client, market, monkeypatch):
    event, _me, _people, token = market
    for n in range(3):
        participant_of(event, f"Zoe{n}")
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    first = _names(client.get(f"/r/{token}/marketplace"))
    assert '<span class="page-link">1</span>' in first and f"/r/{token}/marketplace?page=3" in first
    last = _names(client.get(f"/r/{token}/marketplace", query_string={"page": 3}))
    assert last.count('data-testid="profile-card"') == 1


def test_profile_page_shows_the_business_profile_and_a_request_form(client, market):
    _event, _me, people, token = market
    page = _names(client.get(f"/r/{token}/marketplace/{people['chen'].id}"))
    assert "Electrolyser partners" in page and "Green hydrogen" in page
    assert 'name="message"' in page
    assert people["chen"].person.email not in page


@pytest.mark.parametrize("who", ["waiting", "elsewhere"])
def test_profile_of_someone_not_in_the_marketplace_is_404(client, market, who):
    _event, _me, people, token = market
    assert client.get(f"/r/{token}/marketplace/{people[who].id}").status_code == 404


def test_own_profile_is_404(client, market):
    _event, me, _people, token = market
    assert client.get(f"/r/{token}/marketplace/{me.id}").status_code == 404


def test_marketplace_closed_to_unconfirmed_and_events_without_meetings(app, client, market):
    _event, _me, people, _token = market
    waiting = client.get(f"/r/{token_for(app, people['waiting'])}/marketplace")
    assert waiting.status_code == 404 and "confirmed participants" in waiting.get_data(as_text=True)
    plain = make_event(published=True)
    other = participant_of(plain, "Paula")
    assert client.get(f"/r/{token_for(app, other)}/marketplace").status_code == 404
    assert client.get("/r/not-a-token/marketplace").status_code == 404


def test_staff_marketplace_is_read_only(client, auth, market):
    event, _me, people, _token = market
    auth.login(Role.STAFF)
    page = _names(client.get(f"/manage/events/{event.id}/marketplace"))
    assert people["bruno"].person.full_name in page
    assert "/marketplace/" not in page.replace(
        f"/manage/events/{event.id}/marketplace", ""
    )  # no profile links
    assert 'name="message"' not in page
    event.has_meetings = False
    db.session.commit()
    assert client.get(f"/manage/events/{event.id}/marketplace").status_code == 404


def test_staff_marketplace_needs_a_login(client, market):
    event, *_ = market
    response = client.get(f"/manage/events/{event.id}/marketplace")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
