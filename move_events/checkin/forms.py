"""Door forms. They take JSON from the door page's script or a plain form post alike.

CSRF is checked for every POST by CSRFProtect (a form field, or the X-CSRFToken header the script
sends), so these forms do not check it a second time.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional


class DoorForm(FlaskForm):
    class Meta:
        csrf = False

    nonce = HiddenField(validators=[Optional(), Length(max=64)])
    door = StringField(_l("Door"), validators=[Optional(), Length(max=120)])


class ScanForm(DoorForm):
    token = StringField(_l("Badge code"), validators=[DataRequired(), Length(max=2000)])
