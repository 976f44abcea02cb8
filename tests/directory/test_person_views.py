"""People pages: create, edit, list and search."""

import re

import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.directory.models import OrganisationKind, Person
from move_events.extensions import db as _db
from tests.directory.support import (
    FormPage,
    count,
    make_org,
    make_person,
    person_form,
)


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
