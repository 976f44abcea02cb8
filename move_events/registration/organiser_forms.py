"""Organiser forms for an event's registrations: the list's filters, adding a person by hand, CSV import."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from move_events.countries import country_choices, country_name
from move_events.directory.forms import STRIP
from move_events.directory.models import OrganisationKind
from move_events.events.models import Event
from move_events.labels import as_choices, choices
from move_events.registration.forms import ProfileFields, chosen_organisation
from move_events.registration.models import RegistrationRole, RegistrationStatus
from move_events.registration.queries import RegistrationFilters, registration_countries
from move_events.registration.services import ParticipantDetails

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # some 10,000 lines: more than any event of the partnership


def _enum_or_none(enum_cls):
    def coerce(value: Any):
        """The empty "any" option is None, a value of the enum its member; anything else stays as
        it is, for the field to answer "Not a valid choice"."""
        if not value:
            return None
        return enum_cls(value) if value in set(enum_cls) else value

    return coerce


class RegistrationFilterForm(FlaskForm):
    """GET filters of the list and exports: no CSRF token (reading changes nothing). A bad value is
    dropped (the list shows everything for it) and its error is shown at the field."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search"),
        filters=STRIP,
        validators=[Length(max=200)],
        render_kw={"type": "search", "dir": "auto", "placeholder": _l("Name, e-mail or organisation")},
    )
    status = SelectField(_l("Status"), coerce=_enum_or_none(RegistrationStatus))
    country = SelectField(_l("Country"), default="")
    kind = SelectField(_l("Kind of organisation"), coerce=_enum_or_none(OrganisationKind))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = as_choices([("", _l("Any status"))]) + choices(RegistrationStatus)
        countries = [(code, country_name(code)) for code in registration_countries(event)]
        self.country.choices = as_choices([("", _l("Any country")), *sorted(countries, key=lambda c: c[1])])
        self.kind.choices = as_choices([("", _l("Any kind"))]) + choices(OrganisationKind)

    def filters(self) -> RegistrationFilters:
        self.validate()

        def valid(name: str) -> Any:
            return None if self[name].errors else self[name].data

        return RegistrationFilters(
            status=valid("status"),
            country=valid("country") or None,
            kind=valid("kind"),
            query=valid("q") or "",
        )

    def args(self) -> dict[str, str]:
        """The filters in use as query arguments, for links that keep them (exports, actions)."""
        used = {}
        for name in ("q", "status", "country", "kind"):
            field = self[name]
            if field.data and not field.errors:
                used[name] = str(field.data)
        return used


class OrganiserRegistrationForm(ProfileFields, FlaskForm):
    """An organiser registers someone by hand (a phone call, a walk-in, a speaker). Like the public
    form, but any role, and no consent box: the organiser brings the data, so none is recorded."""

    email = EmailField(
        _l("E-mail"),
        filters=STRIP,
        validators=[
            DataRequired(),
            Email(message=_l("Enter a valid e-mail address, e.g. name@example.org.")),
            Length(max=254),
        ],
    )
    organisation_name = StringField(
        _l("Organisation"),
        filters=STRIP,
        validators=[DataRequired(), Length(max=200)],
        description=_l("Pick an organisation of the directory, or type the name of a new one."),
        render_kw={"dir": "auto"},
    )
    organisation_kind = SelectField(
        _l("Kind of organisation"), choices=choices(OrganisationKind), default=OrganisationKind.SME.value
    )
    organisation_country = SelectField(_l("Country of the organisation"), validators=[InputRequired()])
    organisation_city = StringField(_l("City"), filters=STRIP, validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role at the event"), choices=choices(RegistrationRole))
    submit = SubmitField(_l("Register"))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_choices(event)
        self.organisation_country.choices = as_choices([("", _l("Choose…")), *country_choices()])
        for name in ("given_name", "family_name", "job_title"):
            self[name].render_kw = {"dir": "auto"}

    def to_details(self) -> ParticipantDetails:
        """The input for register_person; an organisation of the same name and country is reused."""
        return self.details(
            email=self.email.data,
            organisation=chosen_organisation(self),
            role=RegistrationRole(self.role.data),
        )


class RegistrationImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Choose a CSV file (.csv); from Excel: “Save as… CSV UTF-8”.")),
            FileSize(MAX_IMPORT_BYTES, message=_l("The file is too large: at most 2 MB.")),
        ],
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Import"))
