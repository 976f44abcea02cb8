"""Every paginated list, past its first page: page 1 and 2 answer, the "Next" link of page 1 leads to page 2
and keeps the list's path (an event's id, a personal token) and its filters.

Lists used to build their page links from the query alone: a list under /manage/events/<id>/ then failed
with a BuildError (HTTP 500) as soon as it had a second page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from move_events.auth.models import Role, User
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.extensions import db
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.outbox.models import OutboxMessage
from move_events.templating import page_url
from tests.factories import make_event, participant_at, token_for
from tests.meetings.requests_support import meeting_event

PER_PAGE = 3
MEETINGS_PER_PAGE = 100  # the organiser's meeting list shows more per page than PER_PAGE

NEXT_LINK = re.compile(r'<a class="page-link" rel="next" href="([^"]+)"')
PREV_LINK = re.compile(r'<a class="page-link" rel="prev" href="([^"]+)"')


@dataclass
class ListCase:
    role: Role | None
    url: str
    filters: dict[str, str]


def _registrations(app: Flask, owner: User) -> ListCase:
    event = make_event(published=True, created_by=owner)
    for _ in range(PER_PAGE + 1):
        participant_at(event, family="Tester")
    return ListCase(
        Role.ORGANISER, f"/manage/events/{event.id}/registrations/", {"status": "confirmed", "q": "Tester"}
    )


def _meetings(app: Flask, owner: User) -> ListCase:
    event = meeting_event(created_by=owner)
    people = [participant_at(event) for _ in range(15)]  # 105 pairs
    pairs = [(a, b) for i, a in enumerate(people) for b in people[i + 1 :]][: MEETINGS_PER_PAGE + 1]
    db.session.add_all(
        Meeting(event=event, requester=a, counterpart=b, status=MeetingStatus.REQUESTED) for a, b in pairs
    )
    db.session.commit()
    return ListCase(Role.ORGANISER, f"/manage/events/{event.id}/meetings", {"status": "requested"})


def _marketplace(app: Flask, owner: User) -> ListCase:
    event = meeting_event(created_by=owner)
    viewer = participant_at(event)
    for _ in range(PER_PAGE + 1):
        participant_at(event, country="BR")
    return ListCase(None, f"/r/{token_for(app, viewer)}/marketplace", {"country": "BR", "q": "Org"})


def _staff_marketplace(app: Flask, owner: User) -> ListCase:
    event = meeting_event(created_by=owner)
    for _ in range(PER_PAGE + 1):
        participant_at(event, country="BR")
    return ListCase(Role.STAFF, f"/manage/events/{event.id}/marketplace", {"country": "BR"})


def _events(app: Flask, owner: User) -> ListCase:
    for _ in range(PER_PAGE + 1):
        make_event(published=True, city="Casablanca")
    return ListCase(Role.ORGANISER, "/manage/events/", {"status": "published", "q": "Casablanca"})


def _outbox(app: Flask, owner: User) -> ListCase:
    db.session.add_all(
        OutboxMessage(to_address=f"amina.{n}@atlas.ma", subject="Your meeting", body_text="Hello")
        for n in range(PER_PAGE + 1)
    )
    db.session.commit()
    return ListCase(Role.ADMIN, "/admin/outbox/", {"status": "queued", "q": "meeting"})


def _organisations(app: Flask, owner: User) -> ListCase:
    db.session.add_all(
        Organisation(name=f"Atlas Solaire {n}", kind=OrganisationKind.SME, country="MA")
        for n in range(PER_PAGE + 1)
    )
    db.session.commit()
    return ListCase(
        Role.ORGANISER, "/directory/organisations/", {"country": "MA", "q": "Atlas", "kind": "sme"}
    )


def _people(app: Flask, owner: User) -> ListCase:
    organisation = Organisation(name="Atlas Solaire", kind=OrganisationKind.SME, country="MA")
    db.session.add_all(
        Person(
            given_name="Salma",
            family_name=f"Tazi {n}",
            email=f"salma.{n}@atlas.ma",
            organisation=organisation,
        )
        for n in range(PER_PAGE + 1)
    )
    db.session.commit()
    return ListCase(
        Role.ORGANISER, "/directory/people/", {"q": "Salma", "organisation": str(organisation.id)}
    )


LISTS: dict[str, Callable[[Flask, User], ListCase]] = {
    "registrations": _registrations,
    "meetings": _meetings,
    "marketplace": _marketplace,
    "staff_marketplace": _staff_marketplace,
    "events": _events,
    "outbox": _outbox,
    "organisations": _organisations,
    "people": _people,
}


@pytest.fixture
def small_pages(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PER_PAGE", PER_PAGE)


def _current_page(body: str) -> str:
    match = re.search(r'aria-current="page"><span class="page-link">(\d+)</span>', body)
    assert match, "no pager on the page"
    return match.group(1)


@pytest.mark.parametrize("name", LISTS)
def test_paginated_list_second_page_keeps_path_and_filters(app, client, auth, small_pages, name):
    case = LISTS[name](app, auth.user(Role.ORGANISER))
    if case.role is not None:
        auth.login(case.role)

    first = client.get(case.url, query_string=case.filters)
    assert first.status_code == 200
    body = first.get_data(as_text=True)
    assert _current_page(body) == "1"
    next_link = html.unescape(NEXT_LINK.search(body).group(1))

    parts = urlsplit(next_link)
    assert parts.path == case.url
    assert parse_qs(parts.query) == {**{key: [value] for key, value in case.filters.items()}, "page": ["2"]}

    second = client.get(next_link)
    assert second.status_code == 200
    body = second.get_data(as_text=True)
    assert _current_page(body) == "2"
    previous = urlsplit(html.unescape(PREV_LINK.search(body).group(1)))
    assert previous.path == case.url
    assert parse_qs(previous.query) == {key: [value] for key, value in case.filters.items()}

    direct = client.get(case.url, query_string={**case.filters, "page": "2"})
    assert direct.status_code == 200
    assert _current_page(direct.get_data(as_text=True)) == "2"


@pytest.mark.parametrize(
    ("query", "number", "expected"),
    [
        ("", 2, "/manage/events/7/registrations/?page=2"),
        ("page=3&q=Ana", 1, "/manage/events/7/registrations/?q=Ana"),
        ("sector=a&sector=b&page=2", 3, "/manage/events/7/registrations/?sector=a&sector=b&page=3"),
        # url_for would read these as its own options (an absolute URL, an anchor) or fail on them
        (
            "_external=1&_anchor=x&endpoint=y",
            2,
            "/manage/events/7/registrations/?_external=1&_anchor=x&endpoint=y&page=2",
        ),
        ("event_id=8", 2, "/manage/events/7/registrations/?event_id=8&page=2"),
    ],
)
def test_page_url_replaces_only_the_page(app: Flask, query: str, number: int, expected: str):
    with app.test_request_context(f"/manage/events/7/registrations/?{query}"):
        assert page_url(number) == expected
