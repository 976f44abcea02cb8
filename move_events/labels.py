"""Translated labels for the domain's enum values, in one place for templates and forms."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms.fields import SelectChoice

from move_events.auth.models import Role
from move_events.directory.models import OrganisationKind
from move_events.events.models import EventCategory, EventFormat, EventStatus, EventSubtype
from move_events.meetings.models import MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.registration.models import RegistrationRole, RegistrationStatus


class Labels(dict):
    """Enum member -> translated label, keyed by (enum class, value).

    Members of different StrEnums with the same value are equal strings (``Role.STAFF`` and
    ``RegistrationRole.STAFF`` are both "staff"): a plain dict keyed by members would let one enum's label
    overwrite the other's ("Door staff" became "Staff").
    """

    def __init__(self, pairs: Iterable[tuple[enum.StrEnum, object]]) -> None:
        super().__init__(((type(member), member.value), text) for member, text in pairs)

    def __getitem__(self, member: enum.StrEnum) -> object:
        return super().__getitem__((type(member), member.value))

    def __contains__(self, member: object) -> bool:
        return isinstance(member, enum.Enum) and super().__contains__((type(member), member.value))

    def get(self, member: enum.StrEnum, default: object = None) -> object:
        if not isinstance(member, enum.Enum):
            return default
        return super().get((type(member), member.value), default)


LABELS = Labels(
    [
        (Role.ADMIN, _l("Admin")),
        (Role.ORGANISER, _l("Organiser")),
        (Role.STAFF, _l("Door staff")),
        (OrganisationKind.CLUSTER, _l("Cluster")),
        (OrganisationKind.INTERMEDIARY, _l("Intermediary (chamber, association, agency, public body)")),
        (OrganisationKind.SME, _l("SME")),
        (OrganisationKind.LARGE_COMPANY, _l("Large company")),
        (OrganisationKind.RESEARCH, _l("Research or education")),
        (EventCategory.PREPARATORY, _l("Preparatory event")),
        (EventCategory.C2C, _l("C2C (cluster to cluster)")),
        (EventCategory.B2B, _l("B2B (brokerage)")),
        (EventSubtype.WORKSHOP, _l("Workshop")),
        (EventSubtype.SEMINAR, _l("Seminar")),
        (EventSubtype.INFO_DAY, _l("Info day")),
        (EventSubtype.TRAINING, _l("Training")),
        (EventSubtype.STUDY_VISIT, _l("Study visit")),
        (EventSubtype.CONFERENCE, _l("Conference")),
        (EventSubtype.CLUSTER_MEETING, _l("Cluster meeting")),
        (EventSubtype.BROKERAGE, _l("Brokerage event")),
        (EventSubtype.OTHER, _l("Other")),
        (EventFormat.ONSITE, _l("On site")),
        (EventFormat.ONLINE, _l("Online")),
        (EventFormat.HYBRID, _l("Hybrid")),
        # Statuses carry a context: "Cancelled" is masculine for an event and feminine for a registration
        # in French, Spanish, Portuguese, Italian or Bulgarian, so translators need one entry for each.
        (EventStatus.DRAFT, lazy_pgettext("event status", "Draft")),
        (EventStatus.PUBLISHED, lazy_pgettext("event status", "Published")),
        (EventStatus.CANCELLED, lazy_pgettext("event status", "Cancelled")),
        (RegistrationStatus.PENDING, lazy_pgettext("registration status", "Pending approval")),
        (RegistrationStatus.CONFIRMED, lazy_pgettext("registration status", "Confirmed")),
        (RegistrationStatus.WAITLISTED, lazy_pgettext("registration status", "Waiting list")),
        (RegistrationStatus.CANCELLED, lazy_pgettext("registration status", "Cancelled")),
        (RegistrationStatus.DECLINED, lazy_pgettext("registration status", "Declined")),
        (RegistrationRole.PARTICIPANT, _l("Participant")),
        (RegistrationRole.SPEAKER, _l("Speaker")),
        (RegistrationRole.ORGANISER, _l("Organiser")),
        (RegistrationRole.STAFF, _l("Staff")),
        (RegistrationRole.PRESS, _l("Press")),
        (MeetingStatus.REQUESTED, lazy_pgettext("meeting status", "Requested")),
        (MeetingStatus.ACCEPTED, lazy_pgettext("meeting status", "Accepted")),
        (MeetingStatus.DECLINED, lazy_pgettext("meeting status", "Declined")),
        (MeetingStatus.CANCELLED, lazy_pgettext("meeting status", "Cancelled")),
        (MeetingStatus.EXPIRED, lazy_pgettext("meeting status", "Expired")),
        (MeetingStatus.SCHEDULED, lazy_pgettext("meeting status", "Scheduled")),
        (MeetingStatus.COMPLETED, lazy_pgettext("meeting status", "Held")),
        (MeetingStatus.NO_SHOW, lazy_pgettext("meeting status", "Did not take place")),
        (MeetingOutcome.DID_NOT_TAKE_PLACE, _l("It did not take place")),
        (MeetingOutcome.INSUFFICIENT_INTEREST, _l("Insufficient interest")),
        (MeetingOutcome.INFORMATIVE, _l("Informative, no cooperation planned")),
        (MeetingOutcome.COOPERATION_POSSIBLE, _l("Cooperation possible")),
        (MeetingFollowUp.NONE, _l("Nothing yet")),
        (MeetingFollowUp.NEGOTIATION_STARTED, _l("Negotiation started")),
        (MeetingFollowUp.AGREEMENT_REACHED, _l("Agreement reached")),
    ]
)


def label(value: enum.StrEnum | None) -> str:
    if value is None:
        return ""
    return str(LABELS.get(value, getattr(value, "value", value)))


def as_choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms select choices from (value, label) pairs (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def choices(enum_cls: type[enum.StrEnum]) -> list[SelectChoice]:
    """The enum's values with their translated labels, for a select field."""
    return as_choices((member.value, LABELS.get(member, member.value)) for member in enum_cls)
