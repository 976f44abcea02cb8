"""Directory forms. They check fields only; duplicates are the services' call (``add_service_error``)."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, Length

from move_events.countries import country_choices, country_name
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.directory.services import DirectoryError, parse_sectors, partner_clusters
from move_events.extensions import db
from move_events.labels import choices
from move_events.templating import language_choices


def _kind_or_none(value: Any) -> OrganisationKind | None:
    """Select coercion: the empty "any / choose" option is None; anything else must be a kind."""
    return OrganisationKind(value) if value else None


def _strip(value: Any) -> Any:
    """Field filter: outer spaces (pasted input) are no part of a name, an address or a search."""
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


def _int_or_zero(value: Any) -> int:
    """Select coercion for "none" (0) or a row id; a missing value counts as none."""
    return int(value) if value not in (None, "") else 0


def _language_name(code: str) -> str:
    """A language named in itself ("العربية" for ar), or its code when Babel does not know it."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code


class SectorsField(StringField):
    """Sectors typed as one comma-separated line; ``data`` is the clean list."""

    def _value(self) -> str:
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            self.data = parse_sectors(valuelist[0])


class DirectoryForm(FlaskForm):
    def add_service_error(self, error: DirectoryError) -> None:
        """Show a service's refusal next to the field it is about, or above the form."""
        field = self._fields.get(error.field)
        if field is not None:
            field.errors.append(str(error))
        else:
            self.form_errors.append(str(error))


class OrganisationForm(DirectoryForm):
    name = StringField(
        _l("Name"),
        filters=STRIP,
        validators=[DataRequired(message=_l("Enter the organisation's name.")), Length(max=200)],
        render_kw={"dir": "auto", "autocomplete": "organization"},
    )
    kind = SelectField(
        _l("Kind"),
        coerce=_kind_or_none,
        validators=[DataRequired(message=_l("Choose the kind of organisation."))],
    )
    country = SelectField(
        _l("Country"), validators=[DataRequired(message=_l("Choose the organisation's country."))]
    )
    city = StringField(_l("City"), filters=STRIP, validators=[Length(max=120)], render_kw={"dir": "auto"})
    sectors = SectorsField(
        _l("Sectors"),
        description=_l("Separate sectors with commas, e.g. logistics, ports, hydrogen."),
    )
    website = URLField(
        _l("Website"),
        filters=STRIP,
        description=_l("For example www.example.org"),
        validators=[Length(max=300)],
    )
    description = TextAreaField(_l("Description"), render_kw={"rows": 4, "dir": "auto"})
    is_partner = BooleanField(
        _l("This is one of the partnership's own clusters"),
        description=_l("Partner clusters organise events; other organisations may belong to one."),
    )
    partner_cluster_id = SelectField(_l("Belongs to partner cluster"), coerce=_int_or_zero, default=0)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        """``organisation``: the one being edited (it cannot belong to itself)."""
        super().__init__(*args, obj=organisation, **kwargs)
        self.kind.choices = [("", _l("Choose…"))] + choices(OrganisationKind)
        self.country.choices = [("", _l("Choose…"))] + country_choices()
        self.partner_cluster_id.choices = [(0, _l("No partner cluster"))] + [
            (cluster.id, cluster.name) for cluster in partner_clusters() if cluster is not organisation
        ]

    def service_fields(self) -> dict[str, Any]:
        """The checked input as keyword arguments for create_organisation / update_organisation."""
        cluster_id = self.partner_cluster_id.data
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "country": self.country.data,
            "city": self.city.data or "",
            "sectors": self.sectors.data or [],
            "website": self.website.data or "",
            "description": self.description.data or "",
            "is_partner": self.is_partner.data,
            "partner_cluster": db.session.get(Organisation, cluster_id) if cluster_id else None,
        }


class PersonForm(DirectoryForm):
    given_name = StringField(
        _l("Given name"),
        filters=STRIP,
        validators=[DataRequired(message=_l("Enter the person's given name.")), Length(max=120)],
        render_kw={"dir": "auto", "autocomplete": "given-name"},
    )
    family_name = StringField(
        _l("Family name"),
        filters=STRIP,
        validators=[Length(max=120)],
        render_kw={"dir": "auto", "autocomplete": "family-name"},
    )
    email = EmailField(
        _l("E-mail"),
        filters=STRIP,
        validators=[
            DataRequired(message=_l("Enter the person's e-mail address.")),
            Email(message=_l("Enter a valid e-mail address, e.g. name@example.org.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    phone = TelField(
        _l("Phone"), filters=STRIP, validators=[Length(max=40)], render_kw={"autocomplete": "tel"}
    )
    job_title = StringField(
        _l("Job title"),
        filters=STRIP,
        validators=[Length(max=200)],
        render_kw={"autocomplete": "organization-title"},
    )
    organisation_id = SelectField(_l("Organisation"), coerce=_int_or_zero, default=0)
    preferred_language = SelectField(_l("Preferred language"), default="en")
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, obj=person, **kwargs)
        rows = db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.country).order_by(
                func.lower(Organisation.name), Organisation.id
            )
        )
        self.organisation_id.choices = [(0, _l("No organisation"))] + [
            (org_id, f"{name} ({country_name(country)})") for org_id, name, country in rows
        ]
        languages = language_choices()
        kept = person.preferred_language if person is not None else None
        if kept and kept not in dict(languages):  # a language no longer offered: keep it selectable
            languages.append((kept, _language_name(kept)))
        self.preferred_language.choices = languages

    def service_fields(self) -> dict[str, Any]:
        """The checked input as keyword arguments for create_person / update_person."""
        org_id = self.organisation_id.data
        return {
            "given_name": self.given_name.data,
            "family_name": self.family_name.data or "",
            "email": self.email.data,
            "phone": self.phone.data or "",
            "job_title": self.job_title.data or "",
            "organisation": db.session.get(Organisation, org_id) if org_id else None,
            "preferred_language": self.preferred_language.data,
        }


def _present_countries() -> list[tuple[str, str]]:
    """Only the countries the directory has organisations in: a search for others finds nothing."""
    present = set(db.session.scalars(select(Organisation.country).distinct()))
    return [(code, name) for code, name in country_choices() if code in present]


class SearchForm(FlaskForm):
    """A GET search form: no CSRF token (searching changes nothing); bad filters are dropped, shown."""

    class Meta:
        csrf = False

    def valid(self, field_name: str) -> Any:
        """The field's value, or None when it did not validate (its error is shown on the form)."""
        field = self._fields[field_name]
        return None if field.errors else field.data


class OrganisationSearchForm(SearchForm):
    q = StringField(
        _l("Search"),
        filters=STRIP,
        validators=[Length(max=200)],
        render_kw={"type": "search", "dir": "auto"},
    )
    kind = SelectField(_l("Kind"), coerce=_kind_or_none)
    country = SelectField(_l("Country"), default="")
    partner = SelectField(_l("Partner cluster"), coerce=_int_or_zero, default=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Any kind"))] + choices(OrganisationKind)
        self.country.choices = [("", _l("Any country"))] + _present_countries()
        self.partner.choices = [(0, _l("Any"))] + [(c.id, c.name) for c in partner_clusters()]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for search_organisations."""
        self.validate()
        return {
            "query": self.valid("q") or "",
            "kind": self.valid("kind"),
            "country": self.valid("country") or None,
            "partner_cluster_id": self.valid("partner") or None,
        }


class PersonSearchForm(SearchForm):
    q = StringField(
        _l("Search"),
        filters=STRIP,
        validators=[Length(max=200)],
        render_kw={"type": "search", "dir": "auto"},
    )
    country = SelectField(_l("Country"), default="")
    organisation = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Any country"))] + _present_countries()

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for search_people."""
        self.validate()
        organisation = self.organisation.data or ""
        is_id = organisation.isascii() and organisation.isdigit() and len(organisation) <= 9
        return {
            "query": self.valid("q") or "",
            "country": self.valid("country") or None,
            "organisation_id": int(organisation) if is_id else None,
        }
