"""Shared helpers of the directory view tests: a small HTML form reader, factories, form data."""

from html.parser import HTMLParser

from sqlalchemy import func, select

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


def existing_rows():
    """One organisation and one person, as URL arguments."""
    org = make_org()
    person = make_person(organisation=org)
    return {"org": org.id, "person": person.id}


def request_route(client, method, path, existing):
    data = org_form(name="Posted Org") if "organisations" in path else person_form(email="new@x.org")
    url = path.format(**existing)
    return client.post(url, data=data) if method == "post" else client.get(url)
