"""The e-mails a registration sends, each in the person's own language, through the outbox."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from move_events.badges.pdf import BadgeLayout, render_badges
from move_events.outbox.deferred import DeferredAttachment, attachment_renderer
from move_events.outbox.services import Attachment, email_url_context, mail_suppressed, queue_email
from move_events.registration.calendar import event_ics
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration

# what happened -> (template, subject, attach the event's .ics)
_CANCELLED = _l("Your registration is cancelled: %(event)s")
MESSAGES = {
    "confirmed": ("registration_confirmed", _l("Your registration is confirmed: %(event)s"), True),
    "received": ("registration_received", _l("We have your registration: %(event)s"), False),
    "waitlisted": ("registration_waitlisted", _l("You are on the waiting list: %(event)s"), False),
    "promoted": ("registration_promoted", _l("A seat is free for you: %(event)s"), True),
    "approved": ("registration_confirmed", _l("Your registration is confirmed: %(event)s"), True),
    "declined": ("registration_declined", _l("About your registration: %(event)s"), False),
    "cancelled": ("registration_cancelled", _l("Your registration is cancelled: %(event)s"), False),
    "cancelled_by_organiser": (
        "registration_cancelled",
        _l("Your registration is cancelled: %(event)s"),
        False,
    ),
    "link": ("registration_link", _l("Your personal link: %(event)s"), False),
}


BADGE_MESSAGES = ("confirmed", "approved", "promoted")  # the place is confirmed: the badge comes along


def badge_attachment(registration: Registration) -> DeferredAttachment:
    """The person's badge, rendered when the message is delivered (outbox/deferred.py).

    WeasyPrint takes 50–300 ms; rendered here it would run while the event's row is locked, and every
    other registration for the event would wait for it (and a 5,000-line import would time out).
    """
    return DeferredAttachment(
        f"badge-{registration.event.slug}.pdf", "application/pdf", "badge", str(registration.id)
    )


@attachment_renderer("badge")
def render_badge(session: Session, registration_id: str) -> bytes:
    """The badge of the registration ``registration_id``, labelled in the person's language."""
    registration = session.get(Registration, int(registration_id))
    if registration is None:
        raise LookupError(f"registration {registration_id} no longer exists: no badge to attach")
    with email_url_context(), force_locale(registration.person.preferred_language):
        return render_badges([registration], layout=BadgeLayout.A6)


class _Subject:
    """A subject rendered lazily, inside the person's locale, with the event's title filled in."""

    def __init__(self, template, event_title: str) -> None:
        self.template, self.event_title = template, event_title

    def __str__(self) -> str:
        return str(self.template) % {"event": self.event_title}


def personal_url(registration: Registration) -> str:
    """The person's personal link, on ``BASE_URL`` (it is mailed: never the request's own host)."""
    with email_url_context():
        return url_for("registration.manage", token=make_personal_token(registration), _external=True)


def notify(registration: Registration, what: str) -> None:
    """Queue the e-mail for ``what`` happened to ``registration`` (nothing inside ``outbox.no_mail()``)."""
    if mail_suppressed():
        return
    template, subject, with_ics = MESSAGES[what]
    event, person = registration.event, registration.person
    with email_url_context():
        link = personal_url(registration)
        attachments: list[Attachment | DeferredAttachment] = (
            [Attachment(f"{event.slug}.ics", "text/calendar", event_ics(event))] if with_ics else []
        )
    if what in BADGE_MESSAGES:
        attachments.append(badge_attachment(registration))
    queue_email(
        to=person.email,
        template=template,
        subject=_Subject(subject, event.title),
        context={
            "registration": registration,
            "event": event,
            "person": person,
            "personal_url": link,
            "by_organiser": what == "cancelled_by_organiser",
        },
        language=person.preferred_language,
        kind=f"registration_{what}",
        registration=registration,
        attachments=attachments,
    )
