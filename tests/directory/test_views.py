import re
from html.parser import HTMLParser

import flask_babel
import pytest
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.directory.services import create_organisation, create_person
from move_events.extensions import db as _db


class FormPage(HTMLParser):
    """What a user sees in a rendered form: each field's value and the errors shown right after it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.errors: dict[str, list[str]] = {}
        self._field: str | None = None  # the last field seen: errors that follow belong to it
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_error = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("id"):
            self._field = attrs["id"]
            if tag == "input" and attrs.get("type") == "checkbox":
                self.values[self._field] = "checked" if "checked" in attrs else ""
            elif tag == "input":
                self.values[self._field] = attrs.get("value") or ""
            elif tag == "select":
                self._select = self._field
            else:
                self._textarea = self._field
                self.values[self._field] = ""
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""
        elif tag == "div" and "invalid-feedback" in (attrs.get("class") or "") and self._field:
            self._in_error = True
            self.errors.setdefault(self._field, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "div":
            self._in_error = False

    def handle_data(self, data):
        if self._in_error:
            self.errors[self._field][-1] += data.strip()
        elif self._textarea:
            self.values[self._textarea] += data


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def make_org(name: str = "Clúster Marítimo de Canarias", **overrides) -> Organisation:
    values = {"name": name, "kind": OrganisationKind.CLUSTER, "country": "ES", "city": "Las Palmas"}
    values.update(overrides)
    org = create_organisation(**values)
    _db.session.commit()
    return org


def make_person(email: str = "amina@atlas.ma", **overrides) -> Person:
    values = {"given_name": "Amina", "family_name": "Benali", "email": email}
    values.update(overrides)
    person = create_person(**values)
    _db.session.commit()
    return person


def org_form(**overrides) -> dict:
    data = {
        "name": "Atlas Logistics SARL",
        "kind": "sme",
        "country": "MA",
        "city": "Tanger",
        "sectors": "Logistics, cold chain, logistics",
        "website": "https://atlas-logistics.ma",
        "description": "Cold-chain transport between Tanger Med and the EU.",
        "partner_cluster_id": "0",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def person_form(**overrides) -> dict:
    data = {
        "given_name": "Youssef",
        "family_name": "El Alaoui",
        "email": "youssef@atlas.ma",
        "phone": "+212 600 000 001",
        "job_title": "Export manager",
        "organisation_id": "0",
        "preferred_language": "fr",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


ROUTES = [
    ("get", "/directory/organisations/"),
    ("get", "/directory/organisations/new"),
    ("post", "/directory/organisations/new"),
    ("get", "/directory/organisations/{org}"),
    ("get", "/directory/organisations/{org}/edit"),
    ("post", "/directory/organisations/{org}/edit"),
    ("get", "/directory/people/"),
    ("get", "/directory/people/new"),
    ("post", "/directory/people/new"),
    ("get", "/directory/people/{person}/edit"),
    ("post", "/directory/people/{person}/edit"),
]


@pytest.fixture
def existing(db):
    org = make_org()
    person = make_person(organisation=org)
    return {"org": org.id, "person": person.id}


def request_route(client, method, path, existing):
    data = org_form(name="Posted Org") if "organisations" in path else person_form(email="new@x.org")
    url = path.format(**existing)
    return client.post(url, data=data) if method == "post" else client.get(url)


# --- access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_directory_routes_send_anonymous_to_login(client, existing, method, path):
    response = request_route(client, method, path, existing)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert (count(Organisation), count(Person)) == (1, 1)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_directory_routes_forbid_door_staff(client, auth, existing, method, path):
    auth.login(Role.STAFF)
    response = request_route(client, method, path, existing)
    assert response.status_code == 403
    assert (count(Organisation), count(Person)) == (1, 1)


@pytest.mark.parametrize(("method", "path"), [route for route in ROUTES if route[0] == "get"])
@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_directory_pages_open_for_organisers_and_admins(client, auth, existing, role, method, path):
    auth.login(role)
    response = request_route(client, method, path, existing)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/directory/organisations/999",
        "/directory/organisations/999/edit",
        "/directory/people/999/edit",
    ],
)
def test_directory_missing_rows_are_not_found(client, auth, db, path):
    auth.login(Role.ORGANISER)
    assert client.get(path).status_code == 404


def test_nav_links_to_directory_for_organisers(client, auth, db):
    auth.login(Role.ORGANISER)
    page = client.get("/directory/organisations/").get_data(as_text=True)
    assert 'href="/directory/organisations/"' in page


# --- organisations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_organisation_create_saves_and_redirects_to_detail(client, auth, db, role):
    auth.login(role)
    cluster = make_org(is_partner=True)
    response = client.post("/directory/organisations/new", data=org_form(partner_cluster_id=str(cluster.id)))

    org = _db.session.scalar(select(Organisation).where(Organisation.name == "Atlas Logistics SARL"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/directory/organisations/{org.id}")
    assert org.kind is OrganisationKind.SME
    assert org.country == "MA"
    assert org.sectors == ["Logistics", "cold chain"]
    assert org.partner_cluster_id == cluster.id
    assert not org.is_partner

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Atlas Logistics SARL was added to the directory." in page
    assert "Morocco" in page
    assert "Logistics, cold chain" in page


def test_organisation_create_completes_website_address(client, auth, db):
    auth.login(Role.ORGANISER)
    client.post("/directory/organisations/new", data=org_form(website=" www.atlas-logistics.ma "))
    assert _db.session.scalar(select(Organisation.website)) == "https://www.atlas-logistics.ma"


def test_organisation_create_form_lists_kinds_countries_and_partner_clusters(client, auth, db):
    make_org("Cluster Telecom Bulgaria", country="BG", is_partner=True)
    make_org("Some SME", kind=OrganisationKind.SME)
    auth.login(Role.ORGANISER)
    page = client.get("/directory/organisations/new").get_data(as_text=True)
    assert "Intermediary (chamber, association, agency, public body)" in page
    assert '<option value="MA">Morocco</option>' in page
    assert "Cluster Telecom Bulgaria" in page
    assert "Some SME" not in page


def test_organisation_create_shows_country_names_in_user_language(client, auth, db):
    auth.login(Role.ORGANISER)
    # The db fixture's app context outlives each request, and Flask-Babel caches the locale on g:
    # forget the login request's locale so that this request's ?lang= is read.
    flask_babel.refresh()
    page = client.get("/directory/organisations/new?lang=fr").get_data(as_text=True)
    assert '<option value="MA">Maroc</option>' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the organisation's name."),
        ({"name": "   "}, "name", "Enter the organisation's name."),
        ({"name": "x" * 201}, "name", "Field cannot be longer than 200 characters."),
        ({"country": "XX"}, "country", "Not a valid choice."),
        ({"country": ""}, "country", "Choose the organisation's country."),
        ({"kind": ""}, "kind", "Choose the kind of organisation."),
        ({"kind": "pirate"}, "kind", "Choose the kind of organisation."),
        ({"website": "atlas-logistics"}, "website", "Enter a web address, e.g. https://example.org."),
        (
            {"website": "javascript://x.org/%0Aalert(1)"},
            "website",
            "Enter a web address, e.g. https://example.org.",
        ),
        ({"partner_cluster_id": "12345"}, "partner_cluster_id", "Not a valid choice."),
    ],
)
def test_organisation_create_rejects_bad_input_next_to_field(client, auth, db, overrides, field, message):
    auth.login(Role.ORGANISER)
    response = client.post("/directory/organisations/new", data=org_form(**overrides))

    assert response.status_code == 200
    page = FormPage(response.get_data(as_text=True))
    assert page.errors == {field: [message]}
    assert page.values["city"] == "Tanger"
    assert page.values["description"].strip() == "Cold-chain transport between Tanger Med and the EU."
    assert count(Organisation) == 0


@pytest.mark.parametrize("name", ["Atlas Logistics SARL", "ATLAS logistics sarl", " atlas  Logistics SARL "])
def test_organisation_create_rejects_duplicate_name_in_country(client, auth, db, name):
    make_org("Atlas Logistics SARL", kind=OrganisationKind.SME, country="MA")
    auth.login(Role.ORGANISER)
    response = client.post("/directory/organisations/new", data=org_form(name=name))

    assert response.status_code == 200
    page = FormPage(response.get_data(as_text=True))
    assert page.errors == {"name": ["Atlas Logistics SARL is already in the directory for this country."]}
    assert page.values["name"] == name.strip()
    assert page.values["country"] == "MA"
    assert page.values["sectors"] == "Logistics, cold chain"
    assert count(Organisation) == 1


def test_organisation_edit_shows_current_values(client, auth, db):
    cluster = make_org(is_partner=True)
    org = make_org(
        "Atlas Logistics SARL", country="MA", sectors=["Logistics", "Ports"], partner_cluster=cluster
    )
    auth.login(Role.ORGANISER)
    page = FormPage(client.get(f"/directory/organisations/{org.id}/edit").get_data(as_text=True))
    assert page.values["name"] == "Atlas Logistics SARL"
    assert page.values["country"] == "MA"
    assert page.values["kind"] == "cluster"
    assert page.values["sectors"] == "Logistics, Ports"
    assert page.values["partner_cluster_id"] == str(cluster.id)
    assert page.values["is_partner"] == ""


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_organisation_edit_saves_changes(client, auth, db, role):
    org = make_org()
    auth.login(role)
    response = client.post(
        f"/directory/organisations/{org.id}/edit",
        data=org_form(name="Clúster Marítimo de Canarias", country="ES", kind="cluster", is_partner="y"),
    )

    assert response.status_code == 302
    _db.session.refresh(org)
    assert org.city == "Tanger"
    assert org.is_partner
    assert org.sectors == ["Logistics", "cold chain"]


def test_organisation_edit_cannot_pick_itself_as_partner_cluster(client, auth, db):
    org = make_org(is_partner=True)
    auth.login(Role.ORGANISER)
    response = client.post(
        f"/directory/organisations/{org.id}/edit", data=org_form(partner_cluster_id=str(org.id))
    )
    assert response.status_code == 200
    assert FormPage(response.get_data(as_text=True)).errors == {"partner_cluster_id": ["Not a valid choice."]}


def test_organisation_edit_keeps_partner_cluster_that_has_members(client, auth, db):
    cluster = make_org(is_partner=True)
    make_org("Atlas Logistics SARL", kind=OrganisationKind.SME, country="MA", partner_cluster=cluster)
    auth.login(Role.ORGANISER)
    response = client.post(
        f"/directory/organisations/{cluster.id}/edit",
        data=org_form(name=cluster.name, country="ES", kind="cluster"),  # is_partner unticked
    )
    assert response.status_code == 200
    assert FormPage(response.get_data(as_text=True)).errors == {
        "is_partner": ["1 organisation belongs to this cluster: move it to another cluster first."]
    }
    _db.session.expire_all()
    assert cluster.is_partner


def test_organisation_edit_rejects_name_of_another_and_saves_nothing(client, auth, db):
    make_org("Atlas Logistics SARL", country="MA")
    org = make_org("Tanger Freight", country="MA")
    auth.login(Role.ORGANISER)
    response = client.post(f"/directory/organisations/{org.id}/edit", data=org_form(city="Rabat"))

    assert response.status_code == 200
    assert FormPage(response.get_data(as_text=True)).errors == {
        "name": ["Atlas Logistics SARL is already in the directory for this country."]
    }
    _db.session.expire_all()
    assert (org.name, org.city) == ("Tanger Freight", "Las Palmas")


def test_organisation_detail_shows_facts_and_people(client, auth, db):
    cluster = make_org(is_partner=True)
    org = make_org(
        "غرفة التجارة بالدار البيضاء",
        kind=OrganisationKind.INTERMEDIARY,
        country="MA",
        city="Casablanca",
        partner_cluster=cluster,
    )
    make_person("amina@ccis.ma", organisation=org, job_title="Head of international affairs")
    make_person("other@example.org", given_name="Nobody", family_name="Else")
    auth.login(Role.ORGANISER)

    page = client.get(f"/directory/organisations/{org.id}").get_data(as_text=True)
    assert '<h1 class="mb-1" dir="auto">غرفة التجارة بالدار البيضاء</h1>' in page
    assert "Intermediary (chamber, association, agency, public body)" in page
    assert "Morocco" in page
    assert "Third country" in page
    assert "Amina Benali" in page
    assert "Head of international affairs" in page
    assert "Nobody Else" not in page
    assert f"/directory/people/new?organisation={org.id}" in page

    cluster_page = client.get(f"/directory/organisations/{cluster.id}").get_data(as_text=True)
    assert "1 organisation belongs to this cluster" in cluster_page


@pytest.fixture
def directory(db):
    cluster = make_org("Clúster Marítimo de Canarias", sectors=["Logistics", "Ports"], is_partner=True)
    make_org(
        "Atlas Logistics SARL",
        kind=OrganisationKind.SME,
        country="MA",
        city="Tanger",
        sectors=["Logistics"],
        partner_cluster=cluster,
    )
    make_org("Hidrogênio Verde Ltda", kind=OrganisationKind.SME, country="BR", city="Fortaleza")
    make_org("Université Hassan II", kind=OrganisationKind.RESEARCH, country="MA", city="Casablanca")
    return cluster


def listed_names(html: str) -> list[str]:
    """The organisation names in the result table, in order."""
    return re.findall(r'<a href="/directory/organisations/\d+" dir="auto">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Atlas Logistics SARL", "Clúster Marítimo de Canarias", "Hidrogênio Verde Ltda",
              "Université Hassan II"]),
        ("q=logistics", ["Atlas Logistics SARL", "Clúster Marítimo de Canarias"]),
        ("q=fortaleza", ["Hidrogênio Verde Ltda"]),
        ("q=ports", ["Clúster Marítimo de Canarias"]),
        ("kind=sme", ["Atlas Logistics SARL", "Hidrogênio Verde Ltda"]),
        ("country=MA", ["Atlas Logistics SARL", "Université Hassan II"]),
        ("q=logistics&country=MA&kind=sme", ["Atlas Logistics SARL"]),
        ("kind=research&country=BR", []),
        ("kind=pirate&country=BR", ["Hidrogênio Verde Ltda"]),
    ],
)  # fmt: skip
def test_organisation_list_search_finds_right_rows(client, auth, directory, query, expected):
    auth.login(Role.ORGANISER)
    response = client.get(f"/directory/organisations/?{query}")
    assert response.status_code == 200
    assert listed_names(response.get_data(as_text=True)) == expected


@pytest.mark.parametrize("path", ["/directory/organisations/", "/directory/people/"])
def test_directory_lists_show_search_form_without_errors(client, auth, directory, path):
    auth.login(Role.ORGANISER)
    html = client.get(path).get_data(as_text=True)
    assert FormPage(html).errors == {}
    assert "is-invalid" not in html


def test_directory_list_shows_error_for_bad_filter(client, auth, directory):
    auth.login(Role.ORGANISER)
    page = FormPage(client.get("/directory/organisations/?kind=pirate").get_data(as_text=True))
    assert page.errors == {"kind": ["Invalid Choice: could not coerce."]}


def test_organisation_list_filters_by_partner_cluster(client, auth, directory):
    auth.login(Role.ORGANISER)
    page = client.get(f"/directory/organisations/?partner={directory.id}").get_data(as_text=True)
    assert listed_names(page) == ["Atlas Logistics SARL"]


def test_organisation_list_keeps_search_in_form(client, auth, directory):
    auth.login(Role.ORGANISER)
    page = FormPage(client.get("/directory/organisations/?q=atlas&country=MA").get_data(as_text=True))
    assert (page.values["q"], page.values["country"]) == ("atlas", "MA")


def test_organisation_list_paginates_and_keeps_search(app, client, auth, db, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    for number in range(5):
        make_org(f"Logistics Company {number}", kind=OrganisationKind.SME, country="MA")
    auth.login(Role.ORGANISER)

    first = client.get("/directory/organisations/?q=logistics").get_data(as_text=True)
    assert listed_names(first) == ["Logistics Company 0", "Logistics Company 1"]
    assert "5 organisations" in first
    assert "/directory/organisations/?q=logistics&amp;page=2" in first

    third = client.get("/directory/organisations/?q=logistics&page=3").get_data(as_text=True)
    assert listed_names(third) == ["Logistics Company 4"]


def test_organisation_list_says_when_nothing_matches(client, auth, directory):
    auth.login(Role.ORGANISER)
    page = client.get("/directory/organisations/?q=nothing-like-this").get_data(as_text=True)
    assert "No organisation matches your search." in page


# --- people ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_person_create_saves_and_redirects_to_organisation(client, auth, db, role):
    org = make_org("Atlas Logistics SARL", country="MA")
    auth.login(role)
    response = client.post(
        "/directory/people/new",
        data=person_form(email=" Youssef@Atlas.MA ", organisation_id=str(org.id)),
    )

    person = _db.session.scalar(select(Person))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/directory/organisations/{org.id}")
    assert person.email == "youssef@atlas.ma"
    assert person.organisation_id == org.id
    assert person.preferred_language == "fr"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Youssef El Alaoui was added to the directory." in page


def test_person_create_without_organisation_redirects_to_list(client, auth, db):
    auth.login(Role.ORGANISER)
    response = client.post("/directory/people/new", data=person_form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "youssef@atlas.ma" in page


def test_person_create_preselects_organisation_from_link(client, auth, db):
    org = make_org()
    auth.login(Role.ORGANISER)
    page = FormPage(client.get(f"/directory/people/new?organisation={org.id}").get_data(as_text=True))
    assert page.values["organisation_id"] == str(org.id)


def test_person_form_lists_languages_by_their_own_names(client, auth, db):
    auth.login(Role.ORGANISER)
    page = client.get("/directory/people/new").get_data(as_text=True)
    assert '<option value="fr">Français</option>' in page
    assert '<option value="bg">Български</option>' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "Enter the person's given name."),
        ({"email": ""}, "email", "Enter the person's e-mail address."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address, e.g. name@example.org."),
        ({"preferred_language": "xx"}, "preferred_language", "Not a valid choice."),
        ({"organisation_id": "9999"}, "organisation_id", "Not a valid choice."),
        ({"email": "amina@atlas.ma"}, "email", "amina@atlas.ma already belongs to someone in the directory."),
        ({"email": "AMINA@Atlas.ma"}, "email", "amina@atlas.ma already belongs to someone in the directory."),
    ],
)
def test_person_create_rejects_bad_input_next_to_field(client, auth, db, overrides, field, message):
    make_person("amina@atlas.ma")
    auth.login(Role.ORGANISER)
    response = client.post("/directory/people/new", data=person_form(**overrides))

    assert response.status_code == 200
    page = FormPage(response.get_data(as_text=True))
    assert page.errors == {field: [message]}
    assert page.values["job_title"] == "Export manager"
    assert page.values["family_name"] == "El Alaoui"
    assert count(Person) == 1


def test_person_edit_shows_current_values(client, auth, db):
    org = make_org()
    person = make_person(organisation=org, preferred_language="pt", phone="+34 600 000 000")
    auth.login(Role.ORGANISER)
    page = FormPage(client.get(f"/directory/people/{person.id}/edit").get_data(as_text=True))
    assert page.values["email"] == "amina@atlas.ma"
    assert page.values["organisation_id"] == str(org.id)
    assert page.values["preferred_language"] == "pt"
    assert page.values["phone"] == "+34 600 000 000"


def test_person_edit_keeps_language_outside_interface_languages(client, auth, db):
    person = make_person(preferred_language="ar")
    auth.login(Role.ORGANISER)
    assert '<option selected value="ar">العربية</option>' in client.get(
        f"/directory/people/{person.id}/edit"
    ).get_data(as_text=True)
    response = client.post(
        f"/directory/people/{person.id}/edit", data=person_form(email=person.email, preferred_language="ar")
    )
    assert response.status_code == 302
    _db.session.refresh(person)
    assert person.preferred_language == "ar"


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ADMIN])
def test_person_edit_saves_changes(client, auth, db, role):
    person = make_person()
    auth.login(role)
    response = client.post(
        f"/directory/people/{person.id}/edit", data=person_form(email="AMINA@atlas.ma", given_name="Amína")
    )
    assert response.status_code == 302
    _db.session.refresh(person)
    assert (person.given_name, person.email, person.job_title) == (
        "Amína",
        "amina@atlas.ma",
        "Export manager",
    )


def test_person_edit_rejects_email_of_another(client, auth, db):
    make_person("amina@atlas.ma")
    person = make_person("carlos@cmc.es", given_name="Carlos", family_name="Suárez")
    auth.login(Role.ORGANISER)
    response = client.post(f"/directory/people/{person.id}/edit", data=person_form(email="Amina@atlas.ma"))

    assert response.status_code == 200
    page = FormPage(response.get_data(as_text=True))
    assert page.errors == {"email": ["amina@atlas.ma already belongs to someone in the directory."]}
    assert page.values["given_name"] == "Youssef"
    _db.session.expire_all()
    assert (person.email, person.given_name) == ("carlos@cmc.es", "Carlos")


@pytest.fixture
def people(db):
    atlas = make_org("Atlas Logistics SARL", kind=OrganisationKind.SME, country="MA")
    canarias = make_org("Clúster Marítimo de Canarias", country="ES")
    make_person("amina@atlas.ma", organisation=atlas)
    make_person("carlos@cmc.es", given_name="Carlos", family_name="Suárez", organisation=canarias)
    make_person("youssef@atlas.ma", given_name="يوسف", family_name="العلوي", organisation=atlas)
    return {"atlas": atlas, "canarias": canarias}


def listed_emails(html: str) -> list[str]:
    return re.findall(r'<a href="mailto:([^"]+)">', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["amina@atlas.ma", "carlos@cmc.es", "youssef@atlas.ma"]),
        ("q=benali", ["amina@atlas.ma"]),
        ("q=CMC.ES", ["carlos@cmc.es"]),
        ("q=atlas", ["amina@atlas.ma", "youssef@atlas.ma"]),
        ("q=canarias", ["carlos@cmc.es"]),
        ("q=يوسف", ["youssef@atlas.ma"]),
        ("country=ES", ["carlos@cmc.es"]),
        ("q=amina&country=ES", []),
        ("country=ZZ", ["amina@atlas.ma", "carlos@cmc.es", "youssef@atlas.ma"]),
        ("organisation=²", ["amina@atlas.ma", "carlos@cmc.es", "youssef@atlas.ma"]),
        ("organisation=99999999999999999999", ["amina@atlas.ma", "carlos@cmc.es", "youssef@atlas.ma"]),
    ],
)
def test_person_list_search_finds_right_rows(client, auth, people, query, expected):
    auth.login(Role.ORGANISER)
    response = client.get(f"/directory/people/?{query}")
    assert response.status_code == 200
    assert listed_emails(response.get_data(as_text=True)) == expected


def test_person_list_filters_by_organisation(client, auth, people):
    auth.login(Role.ORGANISER)
    atlas = people["atlas"].id
    page = client.get(f"/directory/people/?organisation={atlas}").get_data(as_text=True)
    assert listed_emails(page) == ["amina@atlas.ma", "youssef@atlas.ma"]
    assert "Show everyone" in page
    assert f'href="/directory/people/new?organisation={atlas}"' in page


def test_person_list_add_link_has_no_empty_organisation(client, auth, people):
    auth.login(Role.ORGANISER)
    page = client.get("/directory/people/").get_data(as_text=True)
    assert 'href="/directory/people/new"' in page


def test_person_list_shows_names_with_auto_direction(client, auth, people):
    auth.login(Role.ORGANISER)
    page = client.get("/directory/people/?q=atlas").get_data(as_text=True)
    assert '<td dir="auto">يوسف العلوي</td>' in page
    assert "Morocco" in page
