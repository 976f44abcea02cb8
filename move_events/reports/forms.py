"""The report's filter form: read from the query string, by the page and by every export alike.

It is a GET form (the filters belong in a URL one can bookmark or hand to ``curl``), so it carries no
CSRF token: it changes nothing. The same field names are the exports' query parameters.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import Optional, ValidationError

from move_events.countries import country_name
from move_events.directory.models import Organisation
from move_events.events.models import Event
from move_events.extensions import db
from move_events.labels import as_choices
from move_events.reports.rows import ReportFilter

PARAMETERS = ("date_from", "date_to", "partner_cluster", "target_country")


def partner_clusters() -> list[Organisation]:
    """The partnership's clusters, which organise the events (as the event form lists them)."""
    return list(
        db.session.scalars(select(Organisation).where(Organisation.is_partner).order_by(Organisation.name))
    )


def target_countries() -> list[str]:
    """The configured target countries first, then any other country an event targets."""
    configured = [code.upper() for code in current_app.config["TARGET_COUNTRIES"]]
    found = db.session.scalars(
        select(Event.target_country).where(Event.target_country.is_not(None)).distinct()
    )
    return [*configured, *sorted(set(found) - set(configured))]


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional()], description=_l("Events starting on or after."))
    date_to = DateField(_l("To"), validators=[Optional()], description=_l("Events starting on or before."))
    partner_cluster = SelectField(_l("Partner cluster"), default="")
    target_country = SelectField(_l("Target country"), default="")

    def __init__(self, formdata: MultiDict, **kwargs) -> None:
        # Unknown parameters are ignored; a parameter given twice is a mistake the first value hides.
        super().__init__(formdata=formdata, **kwargs)
        everything = SelectChoice("", _l("All"))
        self.partner_cluster.choices = [
            everything,
            *as_choices((str(o.id), o.name) for o in partner_clusters()),
        ]
        self.target_country.choices = [
            everything,
            *as_choices((code, country_name(code)) for code in target_countries()),
        ]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def to_filter(self) -> ReportFilter:
        """The validated fields as the queries' filter (empty fields leave a criterion open)."""
        return ReportFilter(
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            partner_cluster_id=int(self.partner_cluster.data) if self.partner_cluster.data else None,
            target_country=self.target_country.data or None,
        )

    def applied(self) -> dict[str, str]:
        """The filters as query parameters, empty ones left out: for the export links."""
        return {name: str(value) for name in PARAMETERS if (value := self._raw(name))}

    def _raw(self, name: str) -> str:
        field = getattr(self, name)
        return field.data.isoformat() if isinstance(field, DateField) and field.data else (field.data or "")

    def problems(self) -> str:
        """Every field error in one line, parameter names first: the exports' 400 message."""
        return "; ".join(f"{name}: {' '.join(map(str, getattr(self, name).errors))}"
                         for name in PARAMETERS if getattr(self, name).errors)  # fmt: skip
