"""Organiser forms for an event's meetings: the list's filters, arranging a meeting, moving, notes,
the scheduler run's confirmation and marks (held / not held). Fields only: the rules are in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from move_events.directory.forms import STRIP
from move_events.events.models import Event
from move_events.labels import as_choices, choices
from move_events.meetings.booking import event_slots
from move_events.meetings.models import MeetingStatus
from move_events.meetings.planning import MeetingFilters
from move_events.registration.models import Registration
from move_events.templating import local_datetime


def slot_value(start: datetime) -> str:
    """A slot's start as a form value: ISO 8601 in UTC, the same whatever the viewer's time zone."""
    return start.isoformat()


def parse_slot(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def slot_choices(event: Event, starts: list[datetime] | None = None) -> list:
    """Slots as select choices, labelled in the event's time zone."""
    if starts is None:
        starts = [slot.start for slot in event_slots(event)]
    return as_choices((slot_value(s), local_datetime(s, event.timezone, "short")) for s in starts)


def _status_or_none(value: Any):
    if not value:
        return None
    return MeetingStatus(value) if value in set(MeetingStatus) else value


class MeetingFilterForm(FlaskForm):
    """GET filters of the list and exports: no CSRF token; a bad value is dropped and shown at its field."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Participant"),
        filters=STRIP,
        validators=[Length(max=200)],
        render_kw={"type": "search", "dir": "auto", "placeholder": _l("Name or organisation")},
    )
    status = SelectField(_l("Status"), coerce=_status_or_none)
    slot = SelectField(_l("Time"), default="")

    def __init__(self, *args: Any, event: Event, slots: list[datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = as_choices([("", _l("Any status"))]) + choices(MeetingStatus)
        self.slot.choices = as_choices([("", _l("Any time")), ("none", _l("No time yet"))]) + slot_choices(
            event, slots
        )

    def filters(self) -> MeetingFilters:
        self.validate()
        status = None if self.status.errors else self.status.data
        slot = "" if self.slot.errors else (self.slot.data or "")
        return MeetingFilters(
            status=status,
            name="" if self.q.errors else (self.q.data or ""),
            slot=parse_slot(slot),
            unscheduled=slot == "none",
        )

    def args(self) -> dict[str, str]:
        """The filters in use as query arguments, for links that keep them (exports, actions)."""
        return {
            name: str(self[name].data)
            for name in ("q", "status", "slot")
            if self[name].data and not self[name].errors
        }


class SlotFields(FlaskForm):
    """A slot (optional) and a table (optional: the first free one)."""

    slot = SelectField(_l("Time"), default="")
    table = IntegerField(_l("Table"), validators=[Optional(), NumberRange(min=1)])

    def start(self) -> datetime | None:
        return parse_slot(self.slot.data)

    def validate_slot(self, field: SelectField) -> None:
        if field.data and parse_slot(field.data) is None:
            raise ValidationError(_l("Choose one of the event's times."))


class ArrangeMeetingForm(SlotFields):
    requester = SelectField(_l("First participant"), coerce=int, validators=[InputRequired()])
    counterpart = SelectField(_l("Second participant"), coerce=int, validators=[InputRequired()])
    locked = BooleanField(_l("Lock it at this time (the scheduler will not move it)"))
    notes = TextAreaField(_l("Notes for organisers"), filters=STRIP, validators=[Length(max=2000)])

    def __init__(self, *args: Any, event: Event, participants: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(r.id, _participant_label(r)) for r in participants]
        self.requester.choices = as_choices([(0, _l("Choose…")), *people])
        self.counterpart.choices = as_choices([(0, _l("Choose…")), *people])
        self.slot.choices = as_choices([("", _l("Not yet"))]) + (slot_choices(event))

    def validate_counterpart(self, field: SelectField) -> None:
        if field.data and field.data == self.requester.data:
            raise ValidationError(_l("Choose two different participants."))
        if not field.data:
            raise ValidationError(_l("Choose a participant."))

    def validate_requester(self, field: SelectField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose a participant."))


def _participant_label(registration: Registration) -> str:
    person = registration.person
    organisation = person.organisation
    return f"{person.full_name} — {organisation.name}" if organisation else person.full_name


class MoveMeetingForm(SlotFields):
    def __init__(self, *args: Any, event: Event, starts: list[datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slot.choices = slot_choices(event, starts)
        self.slot.validators = [DataRequired()]


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("Notes for organisers"), filters=STRIP, validators=[Length(max=2000)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class RunSchedulerForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, re-plan every meeting that is not locked: their times and tables may change."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class MarkForm(FlaskForm):
    """Mark one meeting (meeting_id) or every unmarked meeting of a slot (slot)."""

    mark = SelectField(
        _l("Mark"),
        choices=as_choices(
            [
                ("completed", _l("Held")),
                ("no_show", _l("Did not take place")),
                ("revert", _l("Undo the mark")),
            ]
        ),
    )
    meeting_id = HiddenField()
    slot = HiddenField()
