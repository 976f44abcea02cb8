import pytest
from sqlalchemy import func, select

from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.directory.services import (
    InvalidCountry,
    InvalidPartnerCluster,
    InvalidWebsite,
    OrganisationExists,
    PartnerClusterHasMembers,
    PersonExists,
    create_organisation,
    create_person,
    find_organisation_by_name,
    find_person_by_email,
    normalise_website,
    parse_sectors,
    partner_clusters,
    search_organisations,
    search_people,
    update_organisation,
    update_person,
)
from move_events.extensions import db as _db


def make_org(name: str = "Clúster Marítimo de Canarias", **overrides) -> Organisation:
    values = {"name": name, "kind": OrganisationKind.CLUSTER, "country": "ES", "city": "Las Palmas"}
    values.update(overrides)
    return create_organisation(**values)


def make_person(email: str = "amina@example.ma", **overrides) -> Person:
    values = {"given_name": "Amina", "family_name": "Benali", "email": email}
    values.update(overrides)
    return create_person(**values)


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def names(stmt) -> list[str]:
    return [org.name for org in _db.session.scalars(stmt)]


# --- sectors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        (None, []),
        ("Logistics", ["Logistics"]),
        (" Logistics ,  ports,, ", ["Logistics", "ports"]),
        ("Logistics, logistics, LOGISTICS, Ports", ["Logistics", "Ports"]),
        ("green   building, hydrogen", ["green building", "hydrogen"]),
        ("Énergie, énergie, ICT", ["Énergie", "ICT"]),
        (" , , ", []),
    ],
)
def test_parse_sectors_trims_and_deduplicates(text, expected):
    assert parse_sectors(text) == expected


# --- organisations ---------------------------------------------------------------------------------


def test_create_organisation_stores_clean_fields(db):
    org = make_org(
        "  Clúster  Marítimo de Canarias ",
        country="es",
        sectors=["Logistics", " ports ", "logistics"],
        website=" https://clustermaritimo.es ",
        description="Ports and logistics. ",
    )
    db.session.commit()

    stored = db.session.get(Organisation, org.id)
    assert stored.name == "Clúster Marítimo de Canarias"
    assert stored.country == "ES"
    assert stored.kind is OrganisationKind.CLUSTER
    assert stored.sectors == ["Logistics", "ports"]
    assert stored.website == "https://clustermaritimo.es"
    assert stored.description == "Ports and logistics."
    assert stored.is_eu


def test_create_organisation_flushes_without_committing(db):
    org = make_org()
    assert org.id is not None
    db.session.rollback()
    assert count(Organisation) == 0


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Clúster Marítimo de Canarias", "ES"),
        ("CLÚSTER MARÍTIMO DE CANARIAS", "ES"),
        ("clúster marítimo de canarias", "es"),
        ("  Clúster   Marítimo de Canarias ", "ES"),
    ],
)
def test_create_organisation_refuses_same_name_in_same_country(db, name, country):
    make_org()
    with pytest.raises(OrganisationExists) as error:
        make_org(name, country=country)
    assert error.value.field == "name"
    assert count(Organisation) == 1


def test_create_organisation_allows_same_name_in_another_country(db):
    make_org("Green Building Cluster", country="IT")
    make_org("Green Building Cluster", country="MA")
    assert count(Organisation) == 2


@pytest.mark.parametrize("country", ["XX", "", "E", "ESP", "EU", "12"])
def test_create_organisation_refuses_invalid_country(db, country):
    with pytest.raises(InvalidCountry) as error:
        make_org(country=country)
    assert error.value.field == "country"
    assert count(Organisation) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", ""),
        ("  ", ""),
        ("https://clustermaritimo.es", "https://clustermaritimo.es"),
        (" http://example.org/en/about?x=1 ", "http://example.org/en/about?x=1"),
        ("www.atlas.ma", "https://www.atlas.ma"),
        ("HTTPS://Example.ORG", "HTTPS://Example.ORG"),
    ],
)
def test_normalise_website_keeps_or_completes_web_addresses(url, expected):
    assert normalise_website(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "javascript://example.com/%0Aalert(1)",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org",
        "atlas-logistics",
        "https://",
        "https://exa mple.org",
        "https://[::1",
    ],
)
def test_normalise_website_refuses_other_addresses(url):
    with pytest.raises(InvalidWebsite):
        normalise_website(url)


def test_create_organisation_refuses_invalid_website(db):
    with pytest.raises(InvalidWebsite) as error:
        make_org(website="javascript://example.com/%0Aalert(1)")
    assert error.value.field == "website"
    assert count(Organisation) == 0


def test_create_organisation_links_partner_cluster(db):
    cluster = make_org("Cluster Telecom Bulgaria", country="BG", is_partner=True)
    sme = make_org("Sofia Fibre Ltd", kind=OrganisationKind.SME, country="BG", partner_cluster=cluster)
    assert sme.partner_cluster is cluster
    assert partner_clusters() == [cluster]


def test_create_organisation_refuses_non_partner_as_partner_cluster(db):
    other = make_org("Chambre de Commerce de Casablanca", country="MA", kind=OrganisationKind.INTERMEDIARY)
    with pytest.raises(InvalidPartnerCluster):
        make_org("Atlas Logistics", country="MA", partner_cluster=other)


def test_create_organisation_refuses_partner_cluster_inside_another(db):
    cluster = make_org("Cluster Telecom Bulgaria", country="BG", is_partner=True)
    with pytest.raises(InvalidPartnerCluster) as error:
        make_org("Pôle Image Numérique", country="FR", is_partner=True, partner_cluster=cluster)
    assert error.value.field == "partner_cluster_id"


def test_update_organisation_keeps_partner_cluster_with_members(db):
    cluster = make_org("Cluster Telecom Bulgaria", country="BG", is_partner=True)
    make_org("Sofia Fibre Ltd", kind=OrganisationKind.SME, country="BG", partner_cluster=cluster)
    with pytest.raises(PartnerClusterHasMembers) as error:
        update_organisation(cluster, is_partner=False)
    assert error.value.field == "is_partner"
    assert cluster.is_partner


def test_update_organisation_ends_partnership_without_members(db):
    cluster = make_org("Cluster Telecom Bulgaria", country="BG", is_partner=True)
    update_organisation(cluster, is_partner=False)
    assert not cluster.is_partner
    assert partner_clusters() == []


def test_service_error_message_is_user_facing(app, db):
    make_org()
    with app.test_request_context(), pytest.raises(OrganisationExists) as error:
        make_org()
    with app.test_request_context():
        assert "Clúster Marítimo de Canarias" in str(error.value)


def test_update_organisation_changes_given_fields_only(db):
    org = make_org(sectors=["Logistics"], website="https://example.es")
    update_organisation(org, city="Santa Cruz de Tenerife", sectors=["Ports", "ports"])
    db.session.commit()
    assert org.city == "Santa Cruz de Tenerife"
    assert org.sectors == ["Ports"]
    assert org.website == "https://example.es"
    assert org.name == "Clúster Marítimo de Canarias"


def test_update_organisation_allows_renaming_itself_in_other_case(db):
    org = make_org()
    update_organisation(org, name="CLÚSTER MARÍTIMO DE CANARIAS")
    assert org.name == "CLÚSTER MARÍTIMO DE CANARIAS"


def test_update_organisation_refuses_name_of_another_and_keeps_state(db):
    make_org("Hydrogen Valley Piemonte", country="IT")
    org = make_org("Green Building Cluster", country="IT")
    with pytest.raises(OrganisationExists):
        update_organisation(org, name="hydrogen valley piemonte", city="Torino")
    assert org.name == "Green Building Cluster"
    assert org.city == "Las Palmas"


def test_update_organisation_refuses_invalid_country(db):
    org = make_org()
    with pytest.raises(InvalidCountry):
        update_organisation(org, country="QQ")
    assert org.country == "ES"


def test_update_organisation_refuses_itself_as_partner_cluster(db):
    org = make_org(is_partner=True)
    with pytest.raises(InvalidPartnerCluster):
        update_organisation(org, partner_cluster=org)


def test_update_organisation_refuses_unknown_field(db):
    org = make_org()
    with pytest.raises(TypeError, match="colour"):
        update_organisation(org, colour="blue")


def test_find_organisation_by_name_ignores_case_and_filters_country(db):
    spanish = make_org("Atlas Trading", country="ES")
    moroccan = make_org("Atlas Trading", country="MA")
    assert find_organisation_by_name("ATLAS TRADING", "ma") is moroccan
    assert find_organisation_by_name("atlas trading") is spanish
    assert find_organisation_by_name("Atlas", "MA") is None
    assert find_organisation_by_name("Atlas Trading", "FR") is None


def test_find_organisation_by_name_matches_arabic_name(db):
    org = make_org("غرفة التجارة والصناعة بالدار البيضاء", country="MA")
    assert find_organisation_by_name(" غرفة التجارة والصناعة بالدار البيضاء ", "MA") is org


@pytest.fixture
def directory(db):
    """A small directory across kinds and countries."""
    cluster = make_org(
        "Clúster Marítimo de Canarias", city="Las Palmas", sectors=["Logistics", "Ports"], is_partner=True
    )
    make_org(
        "Atlas Logistics SARL",
        kind=OrganisationKind.SME,
        country="MA",
        city="Tanger",
        sectors=["Logistics", "Cold chain"],
        partner_cluster=cluster,
    )
    make_org(
        "Hidrogênio Verde Ltda",
        kind=OrganisationKind.SME,
        country="BR",
        city="Fortaleza",
        sectors=["Hydrogen", "Énergie"],
    )
    make_org(
        "Camara de Comércio Brasil",
        kind=OrganisationKind.INTERMEDIARY,
        country="BR",
        city="São Paulo",
        sectors=["Trade"],
    )
    make_org("Université Hassan II", kind=OrganisationKind.RESEARCH, country="MA", city="Casablanca")
    db.session.commit()
    return cluster


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Atlas Logistics SARL", "Camara de Comércio Brasil", "Clúster Marítimo de Canarias",
              "Hidrogênio Verde Ltda", "Université Hassan II"]),
        ({"query": "atlas"}, ["Atlas Logistics SARL"]),
        ({"query": "TANGER"}, ["Atlas Logistics SARL"]),
        ({"query": "logistics"}, ["Atlas Logistics SARL", "Clúster Marítimo de Canarias"]),
        ({"query": "cold chain"}, ["Atlas Logistics SARL"]),
        ({"query": "ports"}, ["Clúster Marítimo de Canarias"]),
        ({"query": "Énergie"}, ["Hidrogênio Verde Ltda"]),
        ({"query": "São"}, ["Camara de Comércio Brasil"]),
        ({"query": "logistics tanger"}, ["Atlas Logistics SARL"]),
        ({"query": "nothing-like-this"}, []),
        ({"query": "%"}, []),
        ({"query": "_"}, []),
        ({"kind": OrganisationKind.SME}, ["Atlas Logistics SARL", "Hidrogênio Verde Ltda"]),
        ({"country": "br"}, ["Camara de Comércio Brasil", "Hidrogênio Verde Ltda"]),
        ({"country": "MA", "kind": OrganisationKind.RESEARCH}, ["Université Hassan II"]),
        ({"query": "logistics", "country": "ES"}, ["Clúster Marítimo de Canarias"]),
    ],
)  # fmt: skip
def test_search_organisations_filters_and_orders_by_name(db, directory, filters, expected):
    assert names(search_organisations(**filters)) == expected


def test_search_organisations_by_partner_cluster(db, directory):
    assert names(search_organisations(partner_cluster_id=directory.id)) == ["Atlas Logistics SARL"]


# --- people ----------------------------------------------------------------------------------------


def test_create_person_normalises_email(db):
    person = make_person(" Amina.Benali@Example.MA ", given_name=" Amina ", preferred_language="fr")
    db.session.commit()
    assert person.email == "amina.benali@example.ma"
    assert person.given_name == "Amina"
    assert person.full_name == "Amina Benali"
    assert person.preferred_language == "fr"
    assert find_person_by_email("AMINA.BENALI@example.ma") is person


@pytest.mark.parametrize("email", ["amina@example.ma", "AMINA@EXAMPLE.MA", " Amina@Example.ma "])
def test_create_person_refuses_existing_email_in_any_case(db, email):
    make_person("amina@example.ma")
    with pytest.raises(PersonExists) as error:
        make_person(email, given_name="Another")
    assert error.value.field == "email"
    assert count(Person) == 1


def test_create_person_links_organisation(db):
    org = make_org()
    person = make_person(organisation=org, job_title="Export manager")
    db.session.commit()
    assert person.organisation is org
    assert org.people == [person]


def test_update_person_keeps_own_email_in_other_case(db):
    person = make_person("amina@example.ma")
    update_person(person, email="AMINA@example.ma", phone=" +212 600 000 000 ")
    assert person.email == "amina@example.ma"
    assert person.phone == "+212 600 000 000"


def test_update_person_refuses_email_of_another(db):
    make_person("amina@example.ma")
    person = make_person("ivan@example.bg", given_name="Ivan", family_name="Petrov")
    with pytest.raises(PersonExists):
        update_person(person, email="Amina@Example.MA", given_name="Ivo")
    assert person.email == "ivan@example.bg"
    assert person.given_name == "Ivan"


def test_update_person_refuses_unknown_field(db):
    person = make_person()
    with pytest.raises(TypeError, match="nickname"):
        update_person(person, nickname="Mina")


@pytest.fixture
def people(db):
    canarias = make_org("Clúster Marítimo de Canarias", country="ES")
    atlas = make_org("Atlas Logistics SARL", kind=OrganisationKind.SME, country="MA")
    make_person("amina@atlas.ma", given_name="Amina", family_name="Benali", organisation=atlas)
    make_person("carlos@cmc.es", given_name="Carlos", family_name="Suárez", organisation=canarias)
    make_person("youssef@atlas.ma", given_name="يوسف", family_name="العلوي", organisation=atlas)
    make_person("freelance@example.org", given_name="Zoé", family_name="Martin")
    db.session.commit()
    return {"canarias": canarias, "atlas": atlas}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["amina@atlas.ma", "freelance@example.org", "carlos@cmc.es", "youssef@atlas.ma"]),
        ({"query": "amina"}, ["amina@atlas.ma"]),
        ({"query": "BENALI"}, ["amina@atlas.ma"]),
        ({"query": "amina benali"}, ["amina@atlas.ma"]),
        ({"query": "cmc.es"}, ["carlos@cmc.es"]),
        ({"query": "atlas"}, ["amina@atlas.ma", "youssef@atlas.ma"]),
        ({"query": "canarias"}, ["carlos@cmc.es"]),
        ({"query": "يوسف"}, ["youssef@atlas.ma"]),
        ({"query": "martin"}, ["freelance@example.org"]),
        ({"country": "ma"}, ["amina@atlas.ma", "youssef@atlas.ma"]),
        ({"query": "carlos", "country": "MA"}, []),
    ],
)
def test_search_people_filters_and_orders_by_family_name(db, people, filters, expected):
    found = db.session.scalars(search_people(**filters)).all()
    assert [person.email for person in found] == expected


def test_search_people_by_organisation(db, people):
    found = db.session.scalars(search_people(organisation_id=people["canarias"].id)).all()
    assert [person.email for person in found] == ["carlos@cmc.es"]
