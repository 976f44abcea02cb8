"""Door forms. They take JSON from the door page's script or a plain form post alike.

CSRF is checked for every POST by CSRFProtect (a form field, or the X-CSRFToken header the script
sends), so these forms do not check it a second time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from move_events.checkin.models import ScanDirection
from move_events.countries import country_choices
from move_events.labels import as_choices
from move_events.registration.forms import ProfileFields, chosen_organisation
from move_events.registration.models import RegistrationRole
from move_events.registration.organiser_forms import OrganiserRegistrationForm
from move_events.registration.services import ParticipantDetails


class DoorForm(FlaskForm):
    class Meta:
        csrf = False

    nonce = HiddenField(validators=[Optional(), Length(max=64)])
    door = StringField(_l("Door"), validators=[Optional(), Length(max=120)])
    checkin_list = HiddenField(validators=[Optional(), Length(max=20)])  # a list id; the view checks it
    direction = HiddenField(validators=[Optional(), AnyOf([d.value for d in ScanDirection])])


class ScanForm(DoorForm):
    token = StringField(_l("Badge code"), validators=[DataRequired(), Length(max=2000)])


class WalkInForm(DoorForm):
    """Someone without a registration at the door: the few details a badge needs. The fields (labels,
    checks) are those of the organiser's "add a person" form."""

    given_name = ProfileFields.given_name
    family_name = ProfileFields.family_name
    email = OrganiserRegistrationForm.email
    organisation_name = OrganiserRegistrationForm.organisation_name
    organisation_country = OrganiserRegistrationForm.organisation_country
    organisation_kind = OrganiserRegistrationForm.organisation_kind
    role = OrganiserRegistrationForm.role

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_country.choices = as_choices([("", _l("Choose…")), *country_choices()])
        for name in ("given_name", "family_name"):
            self[name].render_kw = {"dir": "auto"}

    def to_details(self) -> ParticipantDetails:
        """The input for register_person; an organisation of the same name and country is reused."""
        return ParticipantDetails(
            given_name=self.given_name.data,
            family_name=self.family_name.data,
            email=self.email.data,
            organisation=chosen_organisation(self),
            role=RegistrationRole(self.role.data),
            preferred_language=_door_language(),
        )


def _door_language() -> str:
    """The door's interface language: the best guess for a walk-in's e-mails (they can change it)."""
    locale = get_locale()
    return locale.language if locale and locale.language in current_app.config["LANGUAGES"] else "en"


class CheckInListForm(FlaskForm):
    """A new check-in list: a name and one of the event's days (or none: a room open every day)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    day = SelectField(_l("Day"), choices=[], validate_choice=True)

    def __init__(self, *args: Any, days: list[tuple[date, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day.choices = [("", _l("Every day")), *((d.isoformat(), text) for d, text in days)]

    @property
    def chosen_day(self) -> date | None:
        return date.fromisoformat(self.day.data) if self.day.data else None
