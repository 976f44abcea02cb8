"""The e-mails of meeting requests, each in the recipient's own language, through the outbox.

Each mail names the other participant and links to the recipient's own meetings page (their personal
link), where they answer or see the meeting; it never carries the other side's e-mail address or phone.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from move_events.meetings.models import Meeting
from move_events.outbox.services import email_url_context, mail_suppressed, queue_email
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration

# what happened -> subject (the template is email/meeting_<what>.txt)
SUBJECTS = {
    "requested": _l("%(name)s would like to meet you: %(event)s"),
    "accepted": _l("%(name)s accepted your meeting request: %(event)s"),
    "declined": _l("%(name)s declined your meeting request: %(event)s"),
    "cancelled": _l("%(name)s cancelled your meeting: %(event)s"),
    "expired": _l("Your meeting request to %(name)s has expired: %(event)s"),
}


class _Subject:
    """A subject rendered lazily, inside the recipient's locale, with the names filled in."""

    def __init__(self, template, **values: str) -> None:
        self.template, self.values = template, values

    def __str__(self) -> str:
        return str(self.template) % self.values


def meetings_url(registration: Registration) -> str:
    """The recipient's own meetings page (an absolute address, for e-mails)."""
    with email_url_context():
        return url_for("meetings.my_meetings", token=make_personal_token(registration), _external=True)


def notify_meeting(meeting: Meeting, what: str, *, to: Registration) -> None:
    """Queue the e-mail telling ``to`` what happened to ``meeting`` (nothing inside ``no_mail()``)."""
    if mail_suppressed():
        return
    other = meeting.requester if to.id == meeting.counterpart_id else meeting.counterpart
    event, person = meeting.event, to.person
    queue_email(
        to=person.email,
        template=f"meeting_{what}",
        subject=_Subject(SUBJECTS[what], name=other.person.full_name, event=event.title),
        context={
            "meeting": meeting,
            "event": event,
            "person": person,
            "other": other.person,
            "other_organisation": other.person.organisation,
            "meetings_url": meetings_url(to),
        },
        language=person.preferred_language,
        kind=f"meeting_{what}",
        registration=to,
    )
