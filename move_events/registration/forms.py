"""Registration forms: the public sign-up (phone-first), the participant's own edit form."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from move_events.countries import EU_MEMBER_STATES, country_choices, country_name
from move_events.directory.forms import STRIP, SectorsField
from move_events.directory.models import Organisation, OrganisationKind
from move_events.directory.services import find_organisation_by_name
from move_events.events.models import Event
from move_events.labels import LABELS, as_choices, choices
from move_events.registration.models import RegistrationRole
from move_events.registration.services import NewOrganisation, ParticipantDetails
from move_events.templating import language_choices

PROFILE_FIELDS = ("offers", "requests", "sectors", "target_markets")
PUBLIC_ROLES = (RegistrationRole.PARTICIPANT, RegistrationRole.SPEAKER, RegistrationRole.PRESS)


class ProfileFields:
    """The person and business-profile fields shared by sign-up and the participant's own edit form."""

    given_name = StringField(_l("First name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    family_name = StringField(_l("Last name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])
    phone = TelField(_l("Phone"), filters=STRIP, validators=[Optional(), Length(max=40)])
    job_title = StringField(_l("Job title"), filters=STRIP, validators=[Optional(), Length(max=200)])
    preferred_language = SelectField(_l("Language for e-mails and documents"))
    offers = TextAreaField(_l("What your organisation offers"), validators=[Optional(), Length(max=2000)])
    requests = TextAreaField(
        _l("What your organisation is looking for"), validators=[Optional(), Length(max=2000)]
    )
    sectors = SectorsField(_l("Sectors"), description=_l("Separate with commas, e.g. logistics, hydrogen"))
    target_markets = SelectMultipleField(_l("Markets you aim at"))

    def _init_choices(self, event: Event) -> None:
        self.preferred_language.choices = as_choices(language_choices())
        if not event.has_meetings:  # the business profile only matters where people meet
            for name in PROFILE_FIELDS:
                delattr(self, name)
            return
        markets = current_app.config["TARGET_COUNTRIES"] + sorted(EU_MEMBER_STATES)
        self.target_markets.choices = as_choices((code, country_name(code)) for code in markets)

    def details(self, **extra: Any) -> ParticipantDetails:
        """The form's person and profile, plus ``extra`` (e-mail, organisation, role, consent)."""
        profile = {}
        if "offers" in self:
            profile = {
                "offers": self.offers.data or "",
                "requests": self.requests.data or "",
                "sectors": self.sectors.data or [],
                "target_markets": self.target_markets.data or [],
            }
        return ParticipantDetails(
            given_name=self.given_name.data,
            family_name=self.family_name.data,
            phone=self.phone.data or "",
            job_title=self.job_title.data or "",
            preferred_language=self.preferred_language.data,
            **profile,
            **extra,
        )


class RegistrationForm(ProfileFields, FlaskForm):
    email = EmailField(_l("E-mail"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)])
    organisation_name = StringField(
        _l("Organisation"), filters=STRIP, validators=[DataRequired(), Length(max=200)],
        description=_l("Start typing: pick your organisation if it is listed, or enter its name."),
    )  # fmt: skip
    organisation_kind = SelectField(
        _l("Type of organisation"), choices=choices(OrganisationKind), default="sme"
    )
    organisation_country = SelectField(_l("Country of the organisation"), validators=[InputRequired()])
    organisation_city = StringField(_l("City"), filters=STRIP, validators=[Optional(), Length(max=120)])
    role = SelectField(_l("You attend as"), choices=[SelectChoice(r.value, LABELS[r]) for r in PUBLIC_ROLES])
    consent = BooleanField(
        _l(
            "I agree that my data are used to run this event and to report on it, as the privacy notice says."
        ),
        validators=[DataRequired(_l("Please accept the privacy notice to register."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_choices(event)
        self.organisation_country.choices = as_choices([("", _l("Choose…")), *country_choices()])
        if not self.is_submitted():
            self.preferred_language.data = _current_language()

    def to_details(self) -> ParticipantDetails:
        return self.details(
            email=self.email.data,
            organisation=chosen_organisation(self),
            role=RegistrationRole(self.role.data),
            consent=bool(self.consent.data),
        )


class ProfileForm(ProfileFields, FlaskForm):
    """What a participant may change through their personal link."""

    submit = SubmitField(_l("Save changes"))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_choices(event)


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Cancel my registration"))


def chosen_organisation(form: FlaskForm) -> Organisation | NewOrganisation:
    """The organisation typed on a registration form: the directory's one of that name and country,
    or a new one to create."""
    existing = find_organisation_by_name(form.organisation_name.data, form.organisation_country.data)
    return existing or NewOrganisation(
        name=form.organisation_name.data,
        kind=OrganisationKind(form.organisation_kind.data),
        country=form.organisation_country.data,
        city=(form.organisation_city.data or "") if "organisation_city" in form else "",
        sectors=form.sectors.data if "sectors" in form else [],
    )


def _current_language() -> str:
    """The interface language now in use: a good guess for the person's e-mails."""
    locale = get_locale()
    return locale.language if locale and locale.language in current_app.config["LANGUAGES"] else "en"


class LinkRequestForm(FlaskForm):
    email = EmailField(
        _l("Your e-mail"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)]
    )
    submit = SubmitField(_l("Send me my link"))
