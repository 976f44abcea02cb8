from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from move_events.api.models import ApiScope
from move_events.api.tokens import NAME_LENGTH
from move_events.labels import as_choices

SCOPE_LABELS = {
    ApiScope.CHECKIN: _l("Check-in: scan badges only (a door device)"),
    ApiScope.READ: _l("Read: events, registrations, meetings, reports"),
    ApiScope.WRITE: _l("Write: read, register, cancel, mark meetings, scan"),
}


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=NAME_LENGTH)],
        description=_l("Where the token is used, e.g. Door 1 or CRM sync."),
    )
    scope = SelectField(
        _l("Scope"),
        choices=as_choices((scope.value, text) for scope, text in SCOPE_LABELS.items()),
        default=ApiScope.CHECKIN.value,
    )
