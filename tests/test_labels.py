"""Labels of enum values: each enum keeps its own, even where two enums share a value."""

from flask_babel import force_locale

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


def test_statuses_agree_with_what_they_describe_in_gendered_languages(app):
    """One English word, several translations: an event is cancelled (m.), a registration cancelled (f.)."""
    with app.test_request_context(), force_locale("fr"):
        assert label(EventStatus.CANCELLED) == "Annulé"
        assert label(RegistrationStatus.CANCELLED) == "Annulée"
        assert label(RegistrationStatus.CONFIRMED) == "Confirmée"
        assert label(MeetingStatus.CANCELLED) == "Annulé"
    with app.test_request_context(), force_locale("es"):
        assert label(EventStatus.CANCELLED) == "Cancelado"
        assert label(MeetingStatus.CANCELLED) == "Cancelada"
