"""Organiser pages of an event's registrations, through the app: list, actions, add by hand, import."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from move_events.auth.models import Role
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.services import cancel_event
from move_events.extensions import db as _db
from move_events.outbox.models import OutboxMessage
from move_events.registration.models import Registration, RegistrationRole, RegistrationStatus
from move_events.registration.services import NewOrganisation, approve_registration, decline_registration
from tests.factories import make_event, register

S = RegistrationStatus
K = OrganisationKind


class FormPage(HTMLParser):
    """Each field's value and the error messages shown right after it, as a user sees them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}
        self._field: str | None = None
        self._select: str | None = None
        self._in_error = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select") and attrs.get("id"):
            self._field = attrs["id"]
            self.values[self._field] = attrs.get("value") or ""
            self._select = self._field if tag == "select" else None
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "div" and "invalid-feedback" in (attrs.get("class") or "") and self._field:
            self._in_error = True
            self.errors.setdefault(self._field, "")

    def handle_endtag(self, tag):
        self._in_error = False if tag == "div" else self._in_error

    def handle_data(self, data):
        if self._in_error:
            self.errors[self._field] += data.strip()


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def person(event, given, family, email, country, kind, organisation) -> Registration:
    return register(
        event,
        given_name=given,
        family_name=family,
        email=email,
        organisation=NewOrganisation(name=organisation, kind=kind, country=country),
    )


@pytest.fixture
def owner(auth):
    return auth.user(Role.ORGANISER)


@pytest.fixture
def crowd(db, owner):
    """Five people at an event with two seats that needs approval: two confirmed, one waiting, one
    pending, one declined."""
    event = make_event(published=True, capacity=2, approval_required=True, created_by=owner)
    regs = {
        "salma": person(event, "Salma", "Tazi", "salma@atlas.ma", "MA", K.SME, "Atlas Solaire"),
        "ivan": person(event, "Иван", "Петров", "ivan@tc.bg", "BG", K.CLUSTER, "Клъстер Телеком"),
        "lucia": person(
            event, "Lucía", "García", "lucia@camara.es", "ES", K.INTERMEDIARY, "Cámara de Comercio"
        ),
        "joao": person(event, "João", "Silva", "joao@logistica.br", "BR", K.SME, "Logística Brasil"),
        "amina": person(event, "أمينة", "بنعلي", "amina@cm.ma", "MA", K.CLUSTER, "Cluster Maroc Numeric"),
    }
    for name in ("salma", "ivan", "lucia"):
        approve_registration(regs[name])  # the third one finds the event full: waiting list
    decline_registration(regs["amina"])
    db.session.commit()
    return event, regs


NAMES = {"salma": "Salma Tazi", "ivan": "Иван Петров", "lucia": "Lucía García", "joao": "João Silva",
         "amina": "أمينة بنعلي"}  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"salma", "ivan", "lucia", "joao", "amina"}),
        ("status=confirmed", {"salma", "ivan"}),
        ("status=waitlisted", {"lucia"}),
        ("status=pending", {"joao"}),
        ("country=MA", {"salma", "amina"}),
        ("kind=sme", {"salma", "joao"}),
        ("country=MA&kind=cluster", {"amina"}),
        ("q=ATLAS", {"salma"}),
        ("q=IVAN@TC", {"ivan"}),
        ("q=Клъстер", {"ivan"}),
        ("q=silva+jo", {"joao"}),
        ("q=100%25", set()),
        ("status=confirmed&country=BG", {"ivan"}),
        ("status=nonsense", {"salma", "ivan", "lucia", "joao", "amina"}),  # a bad filter is dropped
    ],
)
def test_manage_list_filters_by_status_country_kind_and_text(client, auth, crowd, query, expected):
    event, _ = crowd
    auth.login(Role.ORGANISER)
    response = client.get(f"/manage/events/{event.id}/registrations/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert {key for key, name in NAMES.items() if name in page} == expected


def test_manage_list_shows_counts_per_status_and_seats(client, auth, crowd):
    event, _ = crowd
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/events/{event.id}/registrations/?status=confirmed").get_data(as_text=True)
    for status, number in [
        ("pending", 1),
        ("confirmed", 2),
        ("waitlisted", 1),
        ("declined", 1),
        ("cancelled", 0),
    ]:
        assert f'data-status="{status}">{number}<' in page  # every count, whichever status is shown
    assert "data-seats-left>0<" in page
    page = client.get(f"/manage/events/{event.id}/registrations/?country=MA").get_data(as_text=True)
    assert 'data-status="confirmed">1<' in page and 'data-status="declined">1<' in page
    assert 'data-status="pending">0<' in page


def test_manage_list_queries_do_not_grow_with_the_number_of_registrations(client, auth, db, owner):
    event = make_event(published=True, capacity=None, created_by=owner)
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/registrations/"
    statements = []

    def record(*args):
        statements.append(args[2])

    counts = []
    for _ in range(2):
        for _ in range(3):
            register(event)
        statements.clear()
        sqlalchemy.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            sqlalchemy.event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1]  # person and organisation come with the registrations


def test_manage_list_rejects_bad_filter_at_the_field(client, auth, crowd):
    event, _ = crowd
    auth.login(Role.ORGANISER)
    page = FormPage(client.get(f"/manage/events/{event.id}/registrations/?status=nonsense&q=Tazi").text)
    assert "Not a valid choice" in page.errors["status"]
    assert page.values["q"] == "Tazi"


@pytest.mark.parametrize(
    ("who", "action", "expected", "message"),
    [
        ("joao", "approve", S.WAITLISTED, "The event is full: João Silva is on the waiting list."),
        ("joao", "decline", S.DECLINED, "The registration of João Silva is declined."),
        ("lucia", "decline", S.DECLINED, "The registration of Lucía García is declined."),
        ("lucia", "confirm", S.CONFIRMED, "Lucía García is confirmed."),
        ("joao", "cancel", S.CANCELLED, "The registration of João Silva is cancelled."),
        ("salma", "approve", S.CONFIRMED, "Only pending registrations can be approved."),
        ("salma", "confirm", S.CONFIRMED, "Only registrations on the waiting list can be moved."),
        ("amina", "cancel", S.DECLINED, "already cancelled or declined"),
        ("salma", "decline", S.CONFIRMED, "Only pending or waiting registrations can be declined."),
    ],
)
def test_manage_action_changes_status_and_says_so(client, auth, crowd, who, action, expected, message):
    event, regs = crowd
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/registrations/{regs[who].id}/{action}?status=pending&q=x&evil=1"
    response = client.post(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "status=pending" in location and "q=x" in location and "evil" not in location
    _db.session.expire_all()
    assert _db.session.get(Registration, regs[who].id).status == expected
    assert message in client.get(location).get_data(as_text=True)


def test_manage_action_approve_confirms_while_seats_remain(client, auth, db, owner):
    event = make_event(published=True, capacity=5, approval_required=True, created_by=owner)
    pending = register(event)
    auth.login(Role.ORGANISER)
    client.post(f"/manage/events/{event.id}/registrations/{pending.id}/approve")
    db.session.refresh(pending)
    assert pending.status == S.CONFIRMED and pending.confirmed_at is not None
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.registration_id == pending.id))
    assert list(kinds) == ["registration_received", "registration_approved"]


def test_manage_action_cancel_confirmed_promotes_first_waitlisted(client, auth, db, owner):
    event = make_event(published=True, capacity=1, created_by=owner)
    seated, first, second = register(event), register(event), register(event)
    assert (first.status, second.status) == (S.WAITLISTED, S.WAITLISTED)
    auth.login(Role.ORGANISER)
    response = client.post(
        f"/manage/events/{event.id}/registrations/{seated.id}/cancel", follow_redirects=True
    )
    for registration in (seated, first, second):
        db.session.refresh(registration)
    assert (seated.status, first.status, second.status) == (S.CANCELLED, S.CONFIRMED, S.WAITLISTED)
    assert f"1 person moved up from the waiting list: {first.person.full_name}" in response.text
    promoted = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.registration_id == first.id))
    assert "registration_promoted" in list(promoted)


def test_manage_action_for_another_events_registration_is_404(client, auth, crowd, owner):
    event, _ = crowd
    other = make_event(published=True, created_by=owner)
    stranger = register(other)
    auth.login(Role.ORGANISER)
    assert client.post(f"/manage/events/{event.id}/registrations/{stranger.id}/cancel").status_code == 404
    assert _db.session.get(Registration, stranger.id).status == S.CONFIRMED


@pytest.fixture
def other_cluster_event(db, auth, crowd):
    """``crowd``'s event run by cluster A, and a logged-in organiser of cluster B."""
    event, regs = crowd
    cluster_a = Organisation(name="Cluster A", kind=K.CLUSTER, country="ES", is_partner=True)
    cluster_b = Organisation(name="Cluster B", kind=K.CLUSTER, country="FR", is_partner=True)
    event.organiser, event.created_by = cluster_a, None
    user = auth.user(Role.ORGANISER)
    user.partner_cluster = cluster_b
    db.session.commit()
    auth.login(Role.ORGANISER)
    return event, regs


def test_manage_list_is_readable_by_an_organiser_of_another_cluster(client, other_cluster_event):
    event, _ = other_cluster_event
    page = client.get(f"/manage/events/{event.id}/registrations/").get_data(as_text=True)
    assert "Salma Tazi" in page and "can read its registrations but not change them" in page
    assert "/approve" not in page and "/registrations/new" not in page
    assert client.get(f"/manage/events/{event.id}/registrations.csv").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/{event}/registrations/{joao}/approve", {}),
        ("post", "/{event}/registrations/{joao}/decline", {}),
        ("post", "/{event}/registrations/{lucia}/confirm", {}),
        ("post", "/{event}/registrations/{salma}/cancel", {}),
        ("get", "/{event}/registrations/new", {}),
        ("post", "/{event}/registrations/new", "form"),
        ("get", "/{event}/registrations/import", {}),
        ("post", "/{event}/registrations/import", "file"),
    ],
)
def test_manage_changes_by_another_cluster_are_forbidden(client, db, other_cluster_event, method, path, data):
    event, regs = other_cluster_event
    before = {r.id: r.status for r in db.session.scalars(select(Registration))}
    messages = count(OutboxMessage)
    if data == "form":
        data = add_form()
    elif data == "file":
        data = {"file": (io.BytesIO(CSV_OK), "people.csv")}
    url = "/manage/events" + path.format(event=event.id, **{k: r.id for k, r in regs.items()})
    assert getattr(client, method)(url, data=data).status_code == 403
    db.session.expire_all()
    assert {r.id: r.status for r in db.session.scalars(select(Registration))} == before
    assert count(OutboxMessage) == messages and count(Person) == 5


def add_form(**overrides) -> dict:
    data = {
        "given_name": "Ana",
        "family_name": "Souza",
        "email": "ana.souza@porto.example.br",
        "phone": "+55 11 5555 0000",
        "job_title": "Diretora de exportação",
        "preferred_language": "pt",
        "organisation_name": "Porto Digital",
        "organisation_country": "BR",
        "organisation_kind": "cluster",
        "organisation_city": "Recife",
        "role": "speaker",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_manage_add_registers_by_hand_without_consent(client, auth, db, owner):
    event = make_event(published=True, created_by=owner, approval_required=True)
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/registrations/new", data=add_form())
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.status == S.CONFIRMED  # organisers need no approval
    assert registration.role == RegistrationRole.SPEAKER and registration.consent_at is None
    assert registration.person.organisation.name == "Porto Digital"
    assert registration.person.organisation.kind == K.CLUSTER
    assert "Ana Souza is registered." in client.get(response.headers["Location"]).text
    assert db.session.scalar(select(OutboxMessage.kind)) == "registration_confirmed"


def test_manage_add_takes_the_business_profile_at_events_with_meetings(client, auth, db, owner):
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    event = make_event(
        published=True, created_by=owner, starts_at=starts, has_meetings=True, slot_minutes=20, tables=5,
        sessions=[(starts, starts + timedelta(hours=3))],
    )  # fmt: skip
    auth.login(Role.ORGANISER)
    assert "Business profile for meetings" in client.get(f"/manage/events/{event.id}/registrations/new").text
    form = add_form(offers="Port logistics software", sectors="logistics, ports", target_markets=["MA", "ES"])
    assert client.post(f"/manage/events/{event.id}/registrations/new", data=form).status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.offers == "Port logistics software"
    assert registration.profile_sectors == ["logistics", "ports"] and registration.target_markets == [
        "MA",
        "ES",
    ]


def test_manage_add_reuses_an_organisation_of_the_directory(client, auth, db, owner):
    existing = Organisation(name="Porto Digital", kind=K.CLUSTER, country="BR")
    db.session.add(existing)
    event = make_event(published=True, created_by=owner)
    auth.login(Role.ORGANISER)
    form = add_form(organisation_name="porto digital", organisation_kind="sme")
    client.post(f"/manage/events/{event.id}/registrations/new", data=form)
    assert db.session.scalar(select(Person)).organisation_id == existing.id
    assert count(Organisation) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "This field is required."),
        ({"family_name": "   "}, "family_name", "This field is required."),
        ({"email": "ana.souza"}, "email", "Enter a valid e-mail address"),
        ({"email": "a" * 250 + "@x.org"}, "email", "Field cannot be longer than 254 characters."),
        ({"organisation_name": ""}, "organisation_name", "This field is required."),
        ({"organisation_country": ""}, "organisation_country", "This field is required."),
        ({"organisation_country": "XX"}, "organisation_country", "Not a valid choice"),
        ({"organisation_kind": "startup"}, "organisation_kind", "Not a valid choice"),
        ({"role": "king"}, "role", "Not a valid choice"),
        ({"preferred_language": "ar"}, "preferred_language", "Not a valid choice"),
        ({"phone": "1" * 41}, "phone", "Field cannot be longer than 40 characters."),
    ],
)
def test_manage_add_rejects_bad_input_at_the_field(client, auth, db, owner, overrides, field, message):
    event = make_event(published=True, created_by=owner)
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/registrations/new", data=add_form(**overrides))
    assert response.status_code == 200
    page = FormPage(response.text)
    assert message in page.errors[field]
    assert set(page.errors) == {field}
    assert page.values["job_title"] == "Diretora de exportação"  # the rest of the input is kept
    assert page.values["role"] == ("" if field == "role" else "speaker")  # a bad choice cannot be shown
    assert count(Registration) == count(Person) == count(Organisation) == count(OutboxMessage) == 0


def test_manage_add_already_registered_says_so_at_the_email(client, auth, db, owner):
    event = make_event(published=True, created_by=owner)
    register(event, email="ana.souza@porto.example.br")
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/registrations/new", data=add_form())
    page = FormPage(response.text)
    assert page.errors == {"email": "This person is already registered for this event."}
    assert count(Registration) == 1 and count(OutboxMessage) == 1


def test_manage_add_to_a_full_event_without_waitlist_saves_nothing(client, auth, db, owner):
    event = make_event(published=True, created_by=owner, capacity=1, waitlist_enabled=False)
    register(event)
    auth.login(Role.ORGANISER)
    response = client.post(f"/manage/events/{event.id}/registrations/new", data=add_form())
    assert response.status_code == 200 and "Sorry, the event is full." in response.text
    assert count(Registration) == 1 and count(Organisation) == 1  # "Porto Digital" was not kept


def test_manage_add_and_import_refuse_a_cancelled_event(client, auth, db, owner):
    event = make_event(published=True, created_by=owner)
    cancel_event(event)
    db.session.commit()
    auth.login(Role.ORGANISER)
    for path in ("new", "import"):
        response = client.post(f"/manage/events/{event.id}/registrations/{path}", data=add_form())
        assert response.status_code == 302
    assert "it takes no more registrations" in client.get(response.headers["Location"]).text
    assert count(Registration) == 0


CSV_OK = (
    "given_name;family_name;email;organisation;organisation_country;organisation_kind\n"
    "Élodie;Dupont;elodie@cap-digital.example;Cap Digital;FR;cluster\n"
    "Иван;Петров;ivan@telecom.example;Клъстер Телеком;BG;cluster\n"
).encode("utf-8-sig")


def test_manage_import_registers_everyone_and_reports(client, auth, db, owner):
    event = make_event(published=True, created_by=owner)
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/registrations/import"
    response = client.post(url, data={"file": (io.BytesIO(CSV_OK), "people.csv")})
    assert response.status_code == 302
    assert (
        "2 people registered (confirmed: 2, waiting list: 0)."
        in client.get(response.headers["Location"]).text
    )
    assert count(Registration) == 2


def test_manage_import_with_a_bad_line_saves_nothing_and_lists_it(client, auth, db, owner):
    event = make_event(published=True, created_by=owner)
    auth.login(Role.ORGANISER)
    data = CSV_OK + b"Nadia;;nadia@example;Atlas;ZZ;sme\n"
    response = client.post(
        f"/manage/events/{event.id}/registrations/import", data={"file": (io.BytesIO(data), "people.csv")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was imported." in page
    assert page.count("<tr><td>4</td>") == 3  # family_name, email, organisation_country on line 4
    assert count(Registration) == count(Person) == count(Organisation) == count(OutboxMessage) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (None, b"", "Choose a CSV file."),
        ("people.pdf", b"%PDF-1.7", "Choose a CSV file (.csv)"),
        ("big.csv", b"x" * (2 * 1024 * 1024 + 1), "The file is too large"),
    ],
)
def test_manage_import_rejects_a_file_that_is_not_csv(client, auth, db, owner, name, content, message):
    event = make_event(published=True, created_by=owner)
    auth.login(Role.ORGANISER)
    upload = {"file": (io.BytesIO(content), name)} if name else {}
    environ = EnvironBuilder(f"/manage/events/{event.id}/registrations/import", method="POST", data=upload)
    environ = environ.get_environ()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()  # a large upload is spooled to a temporary file
    assert response.status_code == 200
    assert message in FormPage(response.text).errors["file"]


def test_event_manage_detail_links_to_registrations_with_count(client, auth, crowd):
    event, _ = crowd
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    link = f'href="/manage/events/{event.id}/registrations/">Registrations (4)</a>'  # not the declined
    assert link in page
