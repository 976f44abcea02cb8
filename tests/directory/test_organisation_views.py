"""Organisation pages: create, edit, detail, list and search."""

import re

import flask_babel
import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.directory.models import Organisation, OrganisationKind
from move_events.extensions import db as _db
from tests.directory.support import (
    FormPage,
    count,
    make_org,
    make_person,
    org_form,
)


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
