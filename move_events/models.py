"""Every model in one import, so that Alembic and the shell see the whole schema."""

from move_events.api.models import ApiScope, ApiToken
from move_events.auth.models import Role, User
from move_events.badges.models import BadgePrintJob, PrintJobStatus
from move_events.checkin.models import CheckIn, CheckInList, ScanDirection, ScanResult
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.events.models import (
    Event,
    EventCategory,
    EventFormat,
    EventStatus,
    EventSubtype,
    MeetingSession,
)
from move_events.meetings.models import (
    Meeting,
    MeetingBooking,
    MeetingFollowUp,
    MeetingOutcome,
    MeetingStatus,
    Unavailability,
)
from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from move_events.registration.models import (
    Registration,
    RegistrationRole,
    RegistrationStatus,
)

__all__ = [
    "ApiScope", "ApiToken",
    "BadgePrintJob", "CheckIn", "CheckInList", "Event", "EventCategory", "EventFormat", "EventStatus",
    "EventSubtype", "Meeting", "MeetingBooking", "MeetingFollowUp", "MeetingOutcome",
    "MeetingSession", "MeetingStatus", "Organisation", "OrganisationKind", "OutboxAttachment",
    "OutboxMessage", "OutboxStatus", "Person", "PrintJobStatus", "Registration", "RegistrationRole",
    "RegistrationStatus", "Role", "ScanDirection", "ScanResult", "Unavailability", "User",
]  # fmt: skip
