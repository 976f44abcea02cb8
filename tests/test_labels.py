"""Labels of enum values: each enum keeps its own, even where two enums share a value."""

from move_events.auth.models import Role
from move_events.events.models import EventStatus
from move_events.labels import LABELS, choices, label
from move_events.meetings.models import MeetingStatus
from move_events.registration.models import RegistrationRole, RegistrationStatus


def test_enums_sharing_a_value_keep_their_own_labels(app):
    with app.test_request_context():
        assert label(Role.STAFF) == "Door staff"
        assert label(RegistrationRole.STAFF) == "Staff"
        assert label(MeetingStatus.COMPLETED) == "Held"
        assert label(RegistrationStatus.CANCELLED) == label(EventStatus.CANCELLED) == "Cancelled"


def test_every_member_of_the_labelled_enums_has_a_label():
    for enum_cls in (Role, RegistrationRole, RegistrationStatus, EventStatus, MeetingStatus):
        assert all(member in LABELS for member in enum_cls), enum_cls


def test_choices_and_unknown_values(app):
    with app.test_request_context():
        assert [(c.value, str(c.label)) for c in choices(Role)][-1] == ("staff", "Door staff")
        assert label(None) == ""
        assert label("plain") == "plain"
