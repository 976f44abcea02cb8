from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from move_events.countries import country_choices, country_name
from move_events.directory.models import Organisation
from move_events.events.models import Event, EventCategory, EventFormat, EventStatus, EventSubtype
from move_events.events.services import EventDetails, SessionDetails
from move_events.extensions import db
from move_events.labels import as_choices, choices

COMMON_TIMEZONES = ["Europe/Madrid", "Atlantic/Canary", "Europe/Sofia", "Europe/Paris", "Europe/Rome",
                    "Africa/Casablanca", "America/Sao_Paulo", "UTC"]  # fmt: skip


def timezone_choices() -> list[SelectChoice]:
    """The partnership's usual time zones first, then every other one."""
    rest = sorted(available_timezones() - set(COMMON_TIMEZONES))
    return as_choices((tz, tz) for tz in COMMON_TIMEZONES + rest)


def _local(value: datetime | None, tz: str) -> datetime | None:
    """A naive form value read as wall-clock time in ``tz``."""
    return value.replace(tzinfo=ZoneInfo(tz)) if value else None


# <input type="datetime-local"> sends "YYYY-MM-DDTHH:MM"; the first format is also how values are shown.
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _naive(value: datetime | None, tz: str) -> datetime | None:
    return value.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if value else None


class SessionForm(Form):
    """One meeting session; both empty means 'no session here'."""

    starts_at = DateTimeLocalField(
        _l("Session start"), format=DATETIME_LOCAL_FORMATS, validators=[Optional()]
    )
    ends_at = DateTimeLocalField(_l("Session end"), format=DATETIME_LOCAL_FORMATS, validators=[Optional()])
    tables = IntegerField(
        _l("Tables in this session"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("Empty: the event's number."),
    )
    meeting_cap = IntegerField(
        _l("Session cap per participant"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Most meetings each participant may have in this session. Empty: no cap of its own."),
    )


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=10_000)])
    category = SelectField(_l("Category"), choices=choices(EventCategory))
    subtype = SelectField(_l("Type"), choices=choices(EventSubtype))
    target_country = SelectField(_l("Target country"))
    organiser_id = SelectField(_l("Organising partner cluster"), coerce=int)
    format = SelectField(_l("Format"), choices=choices(EventFormat))
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    country = SelectField(_l("Country of the venue"))
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_LOCAL_FORMATS, validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_LOCAL_FORMATS, validators=[DataRequired()])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Capacity must be at least 1 (leave it empty for no limit).")),
        ],
        description=_l("Empty: no limit."),
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=DATETIME_LOCAL_FORMATS, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=DATETIME_LOCAL_FORMATS, validators=[Optional()]
    )
    approval_required = BooleanField(_l("Registrations need an organiser's approval"))
    waitlist_enabled = BooleanField(_l("Waiting list when full"), default=True)
    has_meetings = BooleanField(_l("One-to-one meetings (B2B brokerage or C2C)"))
    slot_minutes = IntegerField(
        _l("Meeting length (minutes)"), validators=[Optional(), NumberRange(min=5, max=240)]
    )
    break_minutes = IntegerField(
        _l("Break between meetings (minutes)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=120)],
    )
    tables = IntegerField(_l("Tables"), validators=[Optional(), NumberRange(min=1, max=1000)])
    meeting_cap = IntegerField(
        _l("Most meetings per participant"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l("Empty: as many as there are slots."),
    )
    sessions = FieldList(FormField(SessionForm), label=_l("Meeting sessions"), min_entries=3, max_entries=12)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        targets = current_app.config["TARGET_COUNTRIES"]
        self.target_country.choices = as_choices([("", _l("None"))] + [(c, country_name(c)) for c in targets])
        self.country.choices = as_choices([("", "—"), *country_choices()])
        self.timezone.choices = timezone_choices()
        partners = db.session.scalars(
            select(Organisation).where(Organisation.is_partner).order_by(Organisation.name)
        )
        self.organiser_id.choices = as_choices([(0, "—")] + [(org.id, org.name) for org in partners])

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the rules that span fields, so that all mistakes show at once."""
        fields_ok = super().validate(extra_validators)
        try:
            details = self.to_details()
        except (AttributeError, TypeError, ValueError, ZoneInfoNotFoundError):
            return False  # a field the cross-field rules need is itself wrong, and says so
        for name, message in details.problems().items():
            field = getattr(self, name)
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            if message not in field.errors:
                field.errors.append(message)
        return fields_ok and not any(field.errors for field in self)

    def to_details(self) -> EventDetails:
        tz = self.timezone.data
        organiser = db.session.get(Organisation, self.organiser_id.data) if self.organiser_id.data else None
        return EventDetails(
            title=(self.title.data or "").strip(),
            description=self.description.data or "",
            category=EventCategory(self.category.data),
            subtype=EventSubtype(self.subtype.data),
            format=EventFormat(self.format.data),
            target_country=self.target_country.data or None,
            venue=self.venue.data or "",
            city=self.city.data or "",
            country=self.country.data or None,
            timezone=tz,
            starts_at=_local(self.starts_at.data, tz),
            ends_at=_local(self.ends_at.data, tz),
            capacity=self.capacity.data,
            registration_opens_at=_local(self.registration_opens_at.data, tz),
            registration_closes_at=_local(self.registration_closes_at.data, tz),
            approval_required=self.approval_required.data,
            waitlist_enabled=self.waitlist_enabled.data,
            organiser=organiser,
            has_meetings=self.has_meetings.data,
            slot_minutes=self.slot_minutes.data,
            break_minutes=self.break_minutes.data or 0,
            tables=self.tables.data,
            meeting_cap=self.meeting_cap.data,
            sessions=[
                SessionDetails(
                    _local(entry.starts_at.data, tz),
                    _local(entry.ends_at.data, tz),
                    entry.tables.data,
                    entry.meeting_cap.data,
                )
                for entry in self.sessions
                if entry.starts_at.data and entry.ends_at.data
            ],
        )

    @classmethod
    def for_event(cls, event: Event) -> EventForm:
        """The form filled from an event, its times shown in the event's own time zone."""
        tz = event.timezone
        plain = ("title", "description", "category", "subtype", "format", "venue", "city", "capacity",
                 "approval_required", "waitlist_enabled", "has_meetings", "slot_minutes", "break_minutes",
                 "tables", "meeting_cap", "timezone")  # fmt: skip
        data = {name: getattr(event, name) for name in plain}
        data |= {
            name: _naive(getattr(event, name), tz)
            for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
        }
        data |= {
            "organiser_id": event.organiser_id or 0,
            "target_country": event.target_country or "",
            "country": event.country or "",
            "sessions": [
                {
                    "starts_at": _naive(s.starts_at, tz),
                    "ends_at": _naive(s.ends_at, tz),
                    "tables": s.tables,
                    "meeting_cap": s.meeting_cap,
                }
                for s in event.sessions
            ],
        }
        return cls(data=data)


class EventFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"))
    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("All")), *choices(EventStatus)])
