"""A side's forms after a meeting: how it went (rating) and, later, what came of it (follow-up)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from move_events.directory.forms import STRIP
from move_events.labels import choices
from move_events.meetings.models import MeetingFollowUp, MeetingOutcome


class RatingForm(FlaskForm):
    outcome = RadioField(
        _l("How did the meeting go?"),
        coerce=lambda value: MeetingOutcome(value) if value in set(MeetingOutcome) else value,
        validators=[InputRequired(_l("Choose one answer."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices(MeetingOutcome)


class FollowUpForm(FlaskForm):
    follow_up = RadioField(
        _l("What has come of it since?"),
        coerce=lambda value: MeetingFollowUp(value) if value in set(MeetingFollowUp) else value,
        validators=[InputRequired(_l("Choose one answer."))],
    )
    note = TextAreaField(
        _l("Note for the organisers (the other side does not see it)"),
        filters=STRIP,
        validators=[Length(max=2000)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.follow_up.choices = choices(MeetingFollowUp)
