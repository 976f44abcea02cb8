"""Forms of the participant's meeting pages: search, request, answer, availability."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from move_events.countries import country_name
from move_events.labels import LABELS, as_choices
from move_events.meetings.marketplace import FilterOptions, MarketplaceFilters
from move_events.meetings.scheduling import Slot
from move_events.templating import local_datetime


class SearchForm(FlaskForm):
    """The marketplace's filters (GET, so no CSRF token: a search changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[Optional()])
    kind = SelectField(_l("Organisation type"), validators=[Optional()])
    sector = SelectField(_l("Sector"), validators=[Optional()])
    market = SelectField(_l("Target market"), validators=[Optional()])

    def __init__(self, *args, options: FilterOptions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        anything = ("", _l("Any"))
        self.country.choices = as_choices([anything, *((c, country_name(c)) for c in options.countries)])
        self.kind.choices = as_choices([anything, *((k.value, LABELS[k]) for k in options.kinds)])
        self.sector.choices = as_choices([anything, *((s, s) for s in options.sectors)])
        self.market.choices = as_choices([anything, *((c, country_name(c)) for c in options.markets)])

    def filters(self) -> MarketplaceFilters:
        """What was asked for; a value that is not among the choices is ignored rather than refused."""
        known = {
            name: {c.value for c in getattr(self, name).choices}
            for name in ("country", "kind", "sector", "market")
        }
        values = {name: (getattr(self, name).data or "") for name in known}
        return MarketplaceFilters(
            q=(self.q.data or "").strip()[:200],
            **{name: value if value in known[name] else "" for name, value in values.items()},
        )


class RequestForm(FlaskForm):
    message = TextAreaField(
        _l("Your message"),
        description=_l("Say who you are and what you would like to talk about."),
        validators=[Optional(), Length(max=1000)],
    )
    submit = SubmitField(_l("Request a meeting"))


class ActionForm(FlaskForm):
    """Decline or cancel: nothing to fill in, the CSRF token only."""


def _slot_label(slot: Slot, timezone: str) -> str:
    return local_datetime(slot.start, timezone, "short")


class AcceptForm(FlaskForm):
    # Not limited to the choices shown: a slot taken since the page loaded is refused by the service
    # with the reason, rather than by the form with "not a valid choice".
    slot = SelectField(_l("Time"), validators=[Optional()], validate_choice=False)
    submit = SubmitField(_l("Accept"))

    def __init__(self, *args, slots: list[Slot], timezone: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        later = ("", _l("No time yet: the organisers will schedule it"))
        self.slot.choices = as_choices(
            [later, *((slot.start.isoformat(), _slot_label(slot, timezone)) for slot in slots)]
        )

    def validate_slot(self, field) -> None:
        if field.data:
            try:
                start = datetime.fromisoformat(field.data)
            except ValueError:
                start = None
            if start is None or start.tzinfo is None:
                raise ValidationError(_l("Please choose one of the times offered."))

    def slot_start(self) -> datetime | None:
        return datetime.fromisoformat(self.slot.data) if self.slot.data else None


class AvailabilityForm(FlaskForm):
    """One checkbox per slot of the event: "I cannot meet then"."""

    unavailable = SelectMultipleField(
        _l("I cannot meet then"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[Optional()],
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, slots: list[Slot], timezone: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._starts = {slot.start.isoformat(): slot.start for slot in slots}
        self.unavailable.choices = as_choices(
            (slot.start.isoformat(), _slot_label(slot, timezone)) for slot in slots
        )

    def slot_starts(self) -> list[datetime]:
        return [self._starts[value] for value in self.unavailable.data or [] if value in self._starts]
