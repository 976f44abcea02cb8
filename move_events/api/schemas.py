"""Marshmallow schemas of the API: what goes in (validated, 422 with the fields' errors) and what comes
out (documented in the OpenAPI document). Lengths follow the database columns, so that no valid
input can fail in the database (a 500); text never holds a NUL character (PostgreSQL refuses it) nor an
unpaired surrogate (a JSON ``\\ud800`` escape: no database can encode it).
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from move_events.checkin.models import ScanDirection, ScanResult
from move_events.config import DefaultConfig
from move_events.countries import COUNTRY_CODES
from move_events.directory.models import OrganisationKind
from move_events.events.models import EventCategory, EventFormat, EventStatus, EventSubtype
from move_events.meetings.models import MeetingStatus
from move_events.registration.models import RegistrationRole, RegistrationStatus

MAX_ID = 2**31 - 1  # the database's INTEGER ids (PostgreSQL refuses a larger number: a 500)
MAX_PAGE = 100_000
MAX_PER_PAGE = 100


# An e-mail address as the staff forms take it: something@domain.tld, no control characters, no space
# of any kind (U+00A0 no-break space, U+2028 line separator …), no zero-width or direction mark (stored
# lower-cased; the outbox refused such an address after the registration was made: a 500). Explicit
# ranges rather than \s: JSON Schema's (ECMA) \s differs from Python's.
_NOT_IN_EMAIL = r"@\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff"
EMAIL_PATTERN = rf"^[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}.]+(\.[^{_NOT_IN_EMAIL}.]+)+$"
# Documented as a pattern, so that clients (and the fuzzer) know it.
_no_nul = validate.Regexp(r"^[^\x00]*$", error="NUL characters are not allowed.")


def _no_lone_surrogates(value: str) -> None:
    """A JSON ``\\ud800`` escape without its pair: no database can encode it as UTF-8. Not a documented
    pattern: JSON Schema validators outside Python (Rust's, say) cannot compile surrogate ranges."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ma.ValidationError("Unpaired surrogates are not allowed.") from None


def text(*, max_length: int, min_length: int = 0, **kwargs) -> ma.fields.String:
    """A text field of at most ``max_length`` characters, without NUL or unpaired surrogates."""
    return ma.fields.String(
        validate=[validate.Length(min=min_length, max=max_length), _no_nul, _no_lone_surrogates], **kwargs
    )


def choice(values, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.OneOf([str(v) for v in values]), **kwargs)


def country(**kwargs) -> ma.fields.String:
    return ma.fields.String(
        validate=validate.OneOf(sorted(COUNTRY_CODES), error="Not an ISO 3166 alpha-2 country code."),
        metadata={"description": "ISO 3166 alpha-2 code, upper case", "example": "MA"},
        **kwargs,
    )


class Day(ma.fields.Date):
    """A day (YYYY-MM-DD). The last representable day (9999-12-31) loads as None, an open end: the
    day after it, which an inclusive end needs, does not exist (OverflowError), and no event starts
    after it anyway."""

    def _deserialize(self, value, attr, data, **kwargs) -> date | None:
        day = super()._deserialize(value, attr, data, **kwargs)
        return None if day == date.max else day


def day(description: str) -> Day:
    return Day(metadata={"description": description})


def enum_out(values, *, metadata: dict | None = None, **kwargs) -> ma.fields.String:
    return ma.fields.String(metadata={"enum": [str(v) for v in values], **(metadata or {})}, **kwargs)


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = ma.fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageOut(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)


# --- events -------------------------------------------------------------------------------------


class EventArgs(PageArgs):
    status = choice(EventStatus)
    category = choice(EventCategory)
    target_country = country()
    starts_from = day("Events starting on or after this day (UTC)")
    starts_to = day("Events starting on or before this day (UTC)")
    q = text(max_length=200, metadata={"description": "Words in the title or the city"})


class EventOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    category = enum_out(EventCategory, required=True)
    subtype = enum_out(EventSubtype, required=True)
    status = enum_out(EventStatus, required=True)
    format = enum_out(EventFormat, required=True)
    target_country = ma.fields.String(allow_none=True, required=True)
    venue = ma.fields.String(required=True)
    city = ma.fields.String(required=True)
    country = ma.fields.String(allow_none=True, required=True)
    timezone = ma.fields.String(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    capacity = ma.fields.Integer(allow_none=True, required=True)
    registration_opens_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    registration_closes_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    approval_required = ma.fields.Boolean(required=True)
    waitlist_enabled = ma.fields.Boolean(required=True)
    has_meetings = ma.fields.Boolean(required=True)
    organiser_id = ma.fields.Integer(allow_none=True, required=True)


class EventPage(PageOut):
    items = ma.fields.List(ma.fields.Nested(EventOut), required=True)


# --- registrations ------------------------------------------------------------------------------


class RegistrationArgs(PageArgs):
    status = choice(RegistrationStatus)


class OrganisationOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = enum_out(OrganisationKind, required=True)
    country = ma.fields.String(required=True)


class PersonOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    given_name = ma.fields.String(required=True)
    family_name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    organisation = ma.fields.Nested(OrganisationOut, allow_none=True, required=True)


class RegistrationOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_id = ma.fields.Integer(required=True)
    status = enum_out(RegistrationStatus, required=True)
    role = enum_out(RegistrationRole, required=True)
    person = ma.fields.Nested(PersonOut, required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    confirmed_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    checked_in_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    attended = ma.fields.Boolean(required=True)


class RegistrationPage(PageOut):
    items = ma.fields.List(ma.fields.Nested(RegistrationOut), required=True)


class NewOrganisationIn(ma.Schema):
    name = text(min_length=1, max_length=200, required=True)
    kind = choice(OrganisationKind, required=True)
    country = country(required=True)
    city = text(max_length=120, load_default="")


class RegistrationIn(ma.Schema):
    """A person registered by an organiser (as on the "add a person" page: no consent needed, the
    registration window and approval do not apply). An existing person keeps their details."""

    given_name = text(min_length=1, max_length=120, required=True)
    family_name = text(max_length=120, load_default="")
    email = ma.fields.String(
        required=True,
        validate=[
            validate.Length(min=3, max=254),
            validate.Regexp(EMAIL_PATTERN, error="Not a valid e-mail address."),
            _no_lone_surrogates,
        ],
        metadata={"example": "salma@atlas-solaire.ma"},
    )
    phone = text(max_length=40, load_default="")
    job_title = text(max_length=200, load_default="")
    preferred_language = choice(DefaultConfig.LANGUAGES, load_default="en")
    role = choice(RegistrationRole, load_default=RegistrationRole.PARTICIPANT.value)
    organisation_id = ma.fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "An existing organisation (404 if none); wins over `organisation`"},
    )
    organisation = ma.fields.Nested(
        NewOrganisationIn,
        metadata={"description": "The organisation of that name and country, created if new"},
    )
    offers = text(max_length=5000, load_default="")
    requests = text(max_length=5000, load_default="")


class CancelOut(ma.Schema):
    registration = ma.fields.Nested(RegistrationOut, required=True)
    promoted = ma.fields.List(
        ma.fields.Nested(RegistrationOut),
        required=True,
        metadata={"description": "Who moved up from the waiting list into the freed seat"},
    )


# --- check-in -----------------------------------------------------------------------------------


class ScanIn(ma.Schema):
    token = text(
        min_length=1, max_length=2000, required=True, metadata={"description": "The badge's QR text"}
    )
    nonce = text(
        max_length=64,
        metadata={
            "description": "The client's id of this scan: a retry with the same nonce is not counted again"
        },
    )
    door = text(max_length=120, load_default="")
    direction = choice(ScanDirection, load_default=ScanDirection.ENTRY.value)
    checkin_list_id = ma.fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class ScanOut(ma.Schema):
    result = enum_out(ScanResult, required=True, metadata={"description": "As on the door page"})
    ok = ma.fields.Boolean(required=True)
    title = ma.fields.String(required=True)
    detail = ma.fields.String(required=True)
    replayed = ma.fields.Boolean(required=True)
    registration_id = ma.fields.Integer(allow_none=True, required=True)
    name = ma.fields.String(required=True)
    organisation = ma.fields.String(required=True)
    checked_in_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    arrived = ma.fields.Integer(required=True)
    expected = ma.fields.Integer(required=True)
    inside = ma.fields.Integer(required=True)


# --- meetings -----------------------------------------------------------------------------------


class MeetingArgs(PageArgs):
    status = choice(MeetingStatus)


class MeetingOut(ma.Schema):
    id = ma.fields.Integer(required=True)
    event_id = ma.fields.Integer(required=True)
    requester_id = ma.fields.Integer(required=True)
    counterpart_id = ma.fields.Integer(required=True)
    status = enum_out(MeetingStatus, required=True)
    slot_start = ma.fields.AwareDateTime(allow_none=True, required=True)
    table_no = ma.fields.Integer(allow_none=True, required=True)
    locked = ma.fields.Boolean(required=True)
    arranged_by_organiser = ma.fields.Boolean(required=True)
    marked_by_organiser = ma.fields.Boolean(required=True)


class MeetingPage(PageOut):
    items = ma.fields.List(ma.fields.Nested(MeetingOut), required=True)


class MeetingStatusIn(ma.Schema):
    status = choice([MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW], required=True)


# --- reports ------------------------------------------------------------------------------------


class ReportArgs(ma.Schema):
    """The filters of the report page and its CSV exports, under the same names."""

    date_from = day("Events starting on or after this day")
    date_to = day("Events starting on or before this day")
    partner_cluster = ma.fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "A partner cluster's id"}
    )
    target_country = country()

    @ma.validates_schema
    def _dates_in_order(self, data: dict, **_kwargs) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ma.ValidationError("The end date is before the start date.", "date_to")


class TableARowOut(ma.Schema):
    country = ma.fields.String(allow_none=True, required=True)
    label = ma.fields.String(required=True)
    is_total = ma.fields.Boolean(required=True)
    preparatory_events = ma.fields.Integer(required=True)
    c2c_events = ma.fields.Integer(required=True)
    c2c_meetings = ma.fields.Integer(required=True)
    b2b_events = ma.fields.Integer(required=True)
    b2b_meetings = ma.fields.Integer(required=True)


class TableBRowOut(ma.Schema):
    country = ma.fields.String(allow_none=True, required=True)
    label = ma.fields.String(required=True)
    is_total = ma.fields.Boolean(required=True)
    eu_clusters = ma.fields.Integer(required=True)
    eu_smes = ma.fields.Integer(required=True)
    third_country_clusters = ma.fields.Integer(required=True)
    third_country_smes = ma.fields.Integer(required=True)
    other = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)


class TableAOut(ma.Schema):
    rows = ma.fields.List(ma.fields.Nested(TableARowOut), required=True)


class TableBOut(ma.Schema):
    rows = ma.fields.List(ma.fields.Nested(TableBRowOut), required=True)
