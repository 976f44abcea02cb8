"""The demo's past events as they happened: who registered, who came, who met.

The partnership's reported figures (issue #6) come out of this plan through the report's counting rules
(reports/queries.py), never typed in:

Table A — events that took place and completed meetings per target country:
  Morocco 5 preparatory, 3 C2C events, 3 C2C meetings, 2 B2B events, 7 B2B meetings;
  Brazil  5, 2, 2, 1, 6.
Table B — distinct organisations that attended (checked in, or marked attended online) or held a
completed meeting:
  Morocco 7 EU clusters, 38 EU SMEs, 3 third-country clusters / intermediaries, 89 third-country SMEs;
  Brazil  3, 15, 3, 7.

The odd numbers have a story the rules account for: the 39th and 40th EU SMEs and the 90th Moroccan SME
registered for Moroccan events but never came (one cancelled, one missed its meeting: a no-show), and the
8th Brazilian SME registered for the Brazil webinar without joining it. A declined request and a cancelled
meeting complete the picture; none of them counts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from move_events.auth.models import User
from move_events.checkin.services import check_in_registration
from move_events.demo.people import Pools, has_registrations, pick, pick_all, register
from move_events.directory.models import Person
from move_events.events.models import Event, EventCategory, EventFormat, EventStatus
from move_events.extensions import db
from move_events.meetings.booking import event_slots
from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.meetings.outcomes import mark_meeting, rate_meeting, record_follow_up
from move_events.meetings.planning import arrange_meeting
from move_events.meetings.requests import accept_meeting, cancel_meeting, decline_meeting, request_meeting
from move_events.registration.models import Registration
from move_events.registration.services import cancel_registration

M = MeetingStatus


@dataclass(frozen=True)
class Turnout:
    """One past event: who came, who registered and stayed away, who cancelled, and the meetings held
    there as (requester, counterpart, what became of it)."""

    came: tuple[str, ...]
    absent: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    meetings: tuple[tuple[str, str, MeetingStatus], ...] = ()


HISTORY = {
    # --- Morocco: 7 EU clusters, 38 EU SMEs (ES 0-8, BG 0-9, IT 0-8, FR 0-9), 3 MA clusters, 89 MA SMEs
    "Morocco market info day": Turnout(("partner-ES", "cluster-ES", "sme-ES:0-8"), absent=("sme-ES:9",)),
    "Doing business in Morocco: export workshop": Turnout(("partner-BG", "cluster-BG", "sme-BG:0-9")),
    "Green building standards in Morocco": Turnout(  # online: attendance is marked, not scanned
        ("partner-IT", "cluster-FR", "sme-IT:0-8", "tc-MA:0", "sme-MA:0-4"), absent=("sme-IT:9",)
    ),
    "Hydrogen valleys: training for SMEs": Turnout(
        ("partner-IT", "cluster-FR", "sme-IT:0-3"), cancelled=("sme-IT:9",)
    ),
    "Study visit to Tanger Med": Turnout(("tc-MA:2", "sme-MA:5-24", "partner-ES", "sme-ES:0-3")),
    "Cluster meeting Casablanca: logistics": Turnout(
        ("tc-MA:1", "partner-ES", "cluster-ES", "tc-MA:2", "sme-MA:25-34"),
        meetings=(("partner-ES", "tc-MA:1", M.COMPLETED),),
    ),
    "Cluster meeting Rabat: solar and green building": Turnout(
        ("tc-MA:0", "partner-IT", "cluster-FR", "sme-MA:35-44"),
        meetings=(("partner-IT", "tc-MA:0", M.COMPLETED),),
    ),
    "Cluster meeting Lyon: creative industries": Turnout(
        ("partner-FR", "cluster-FR", "sme-FR:0-9", "tc-MA:1", "tc-MA:2"),
        meetings=(("partner-FR", "tc-MA:2", M.COMPLETED), ("cluster-FR", "tc-MA:1", M.DECLINED)),
    ),
    "B2B brokerage Casablanca 2025": Turnout(
        ("sme-MA:45-69", "sme-ES:0-4", "sme-IT:0-4", "partner-ES", "partner-IT"),
        absent=("sme-MA:89",),
        meetings=(
            ("sme-ES:0", "sme-MA:45", M.COMPLETED),
            ("sme-MA:46", "sme-ES:1", M.COMPLETED),
            ("sme-IT:0", "sme-MA:47", M.COMPLETED),
            ("partner-IT", "sme-MA:49", M.COMPLETED),  # a cluster meeting an SME: B2B
            ("sme-ES:2", "sme-MA:89", M.NO_SHOW),
        ),
    ),
    "B2B brokerage Marrakech: digital": Turnout(
        ("sme-MA:70-88", "sme-BG:0-5", "sme-FR:0-3", "partner-BG"),
        meetings=(
            ("sme-BG:0", "sme-MA:70", M.COMPLETED),
            ("sme-FR:0", "sme-MA:71", M.COMPLETED),
            ("partner-BG", "sme-MA:72", M.COMPLETED),
            ("sme-BG:1", "sme-MA:73", M.DECLINED),
        ),
    ),
    # --- Brazil: 3 EU clusters (partners ES, BG; Occitanie), 15 EU SMEs (FR 0-5, BG 0-4, IT 0-3),
    # 3 BR clusters / intermediaries, 7 BR SMEs
    "Brazil market info day": Turnout(("partner-ES", "sme-FR:0-5")),
    "Doing business in Brazil: webinar": Turnout(
        ("tc-BR:0", "sme-BR:0-1", "sme-FR:0-1", "cluster-FR"), absent=("sme-BR:7",)
    ),
    "Telecoms regulation in Brazil": Turnout(("partner-BG", "sme-BG:0-4")),
    "Green hydrogen in Ceará: training": Turnout(("cluster-FR", "sme-IT:0-3", "tc-BR:2")),
    "São Paulo tech conference": Turnout(("tc-BR:0", "sme-BR:2-4", "sme-BG:0-1", "partner-BG")),
    "Cluster meeting São Paulo: software and telecoms": Turnout(
        ("tc-BR:0", "partner-BG", "sme-BR:0-2"), meetings=(("partner-BG", "tc-BR:0", M.COMPLETED),)
    ),
    "Cluster meeting Recife: ports": Turnout(
        ("tc-BR:1", "partner-ES", "sme-BR:3-4"), meetings=(("partner-ES", "tc-BR:1", M.COMPLETED),)
    ),
    "B2B brokerage São Paulo 2025": Turnout(
        ("sme-BR:0-6", "sme-FR:0-2", "sme-BG:0-2", "tc-BR:0", "sme-IT:0"),
        meetings=(
            ("sme-FR:0", "sme-BR:0", M.COMPLETED),
            ("sme-BR:1", "sme-FR:1", M.COMPLETED),
            ("sme-FR:2", "sme-BR:5", M.COMPLETED),
            ("sme-BG:0", "sme-BR:2", M.COMPLETED),
            ("sme-BG:1", "sme-BR:6", M.COMPLETED),
            ("sme-IT:0", "sme-BR:3", M.COMPLETED),
            ("sme-BG:2", "sme-BR:4", M.CANCELLED),
        ),
    ),
    # --- No target country: counted in its own row only
    "MOVE partnership kick-off": Turnout(("partner-ES", "partner-BG", "partner-FR", "partner-IT")),
}

MESSAGES = [
    "Your profile matches what we are looking for. Shall we meet?",
    "We would like to present our services to you at the brokerage event.",
    "Interested in a partnership: could we talk for half an hour?",
]
# How the two sides rated completed meetings, and what came of them, in turn.
RATINGS = [
    (MeetingOutcome.COOPERATION_POSSIBLE, MeetingOutcome.COOPERATION_POSSIBLE, MeetingFollowUp.AGREEMENT_REACHED),
    (MeetingOutcome.INFORMATIVE, MeetingOutcome.COOPERATION_POSSIBLE, MeetingFollowUp.NEGOTIATION_STARTED),
    (MeetingOutcome.INFORMATIVE, MeetingOutcome.INFORMATIVE, MeetingFollowUp.NONE),
    (MeetingOutcome.COOPERATION_POSSIBLE, MeetingOutcome.INSUFFICIENT_INTEREST, None),
]  # fmt: skip


def write_history(*, found: Pools, door: User, organiser: User, rng: random.Random) -> int:
    """Write the past events' registrations, check-ins and meetings; returns how many records it added.

    An event that already has registrations is left alone, so re-running adds nothing.
    """
    created = 0
    for title, turnout in HISTORY.items():
        event = db.session.scalar(select(Event).where(Event.title == title))
        if event is None or event.status != EventStatus.PUBLISHED or has_registrations(event):
            continue
        if turnout.meetings and not event_slots(event):
            raise DemoOutdated(
                f"The demo event {title!r} has no meeting sessions: this database holds demo data of an "
                "older version. Start a fresh demo database (make clean-demo; make run)."
            )
        created += _event_history(event, turnout, found=found, door=door, organiser=organiser, rng=rng)
    return created


class DemoOutdated(Exception):
    """The database holds demo data that this version's story cannot be added to."""


def _event_history(
    event: Event, turnout: Turnout, *, found: Pools, door: User, organiser: User, rng: random.Random
) -> int:
    registrations: dict[int, Registration] = {}
    people = [(p, "came") for p in pick_all(found, turnout.came)]
    people += [(p, "absent") for p in pick_all(found, turnout.absent)]
    people += [(p, "cancelled") for p in pick_all(found, turnout.cancelled)]
    for person, _ in sorted(people, key=lambda item: rng.random()):  # people register in no set order
        at = event.starts_at - timedelta(days=rng.randint(3, 40), minutes=rng.randint(0, 600))
        registrations[person.id] = register(event, person, at=at)
    for person, what in people:
        registration = registrations[person.id]
        if what == "cancelled":
            cancel_registration(registration, now=event.starts_at - timedelta(days=1))
        elif what == "came":
            _attend(event, registration, door=door, late=rng.randint(-20, 45))
    for n, (a, b, status) in enumerate(turnout.meetings):
        requester, counterpart = (registrations[_one(found, side).id] for side in (a, b))
        _meeting(event, requester, counterpart, status, slot_index=n, organiser=organiser)
    return len(people) + len(turnout.meetings)


def _one(found: Pools, spec: str) -> Person:
    (person,) = pick(found, spec)
    return person


def _attend(event: Event, registration: Registration, *, door: User, late: int) -> None:
    """Checked in at the door; at online events the organiser marks attendance afterwards."""
    if event.format == EventFormat.ONLINE:
        registration.attended = True  # no service marks online attendance yet
        return
    check_in_registration(
        event=event,
        registration=registration,
        user=door,
        nonce=None,
        door="Main entrance",
        now=event.starts_at + timedelta(minutes=late),
    )


def _meeting(
    event: Event,
    requester: Registration,
    counterpart: Registration,
    status: MeetingStatus,
    *,
    slot_index: int,
    organiser: User,
) -> Meeting:
    """A past meeting, through the services, at the times it happened.

    At B2B events one side requested it and the other accepted, picking a slot; at cluster meetings
    the organiser arranged it (how C2C meetings are usually made). Held or missed meetings were then
    marked by the organiser at the tables and rated by the sides, some with a follow-up.
    """
    asked = event.starts_at - timedelta(days=2)  # everybody had registered by then (3+ days before)
    slot = event_slots(event)[slot_index]
    if status in (M.DECLINED, M.CANCELLED):
        meeting = request_meeting(requester=requester, counterpart=counterpart, now=asked)
        if status == M.DECLINED:
            return decline_meeting(meeting=meeting, by=counterpart, now=asked + timedelta(hours=12))
        accept_meeting(meeting=meeting, by=counterpart, now=asked + timedelta(hours=12))
        return cancel_meeting(meeting=meeting, by=requester, now=asked + timedelta(days=1))
    if event.category == EventCategory.B2B:
        meeting = request_meeting(
            requester=requester, counterpart=counterpart, message=MESSAGES[slot_index % 3], now=asked
        )
        accept_meeting(meeting=meeting, by=counterpart, slot_start=slot.start, now=asked + timedelta(days=1))
    else:
        meeting = arrange_meeting(event=event, requester=requester, counterpart=counterpart, start=slot.start)
        meeting.requested_at = meeting.responded_at = asked
    mark_meeting(meeting, status=status, by=organiser, now=slot.end)
    if status == M.NO_SHOW:
        rate_meeting(meeting, registration=requester, outcome=MeetingOutcome.DID_NOT_TAKE_PLACE, now=slot.end)
        return meeting
    mine, theirs, follow_up = RATINGS[(slot_index + event.id) % len(RATINGS)]  # varied across events
    rate_meeting(meeting, registration=requester, outcome=mine, now=slot.end)
    rate_meeting(meeting, registration=counterpart, outcome=theirs, now=slot.end + timedelta(hours=2))
    if follow_up is not None:
        record_follow_up(
            meeting, registration=requester, follow_up=follow_up, now=slot.end + timedelta(days=60)
        )
    return meeting
