"""The upcoming brokerage event of the demo: 40 confirmed participants with business profiles, a few
unavailable slots, open and accepted meeting requests — ready for the marketplace and the scheduler.

Two SMEs with matching profiles and no meeting between them are the newcomer's way in: the seed prints
their personal links, so one can find the other in the marketplace, request, accept, and watch the
organiser schedule it (issue #5's done-when).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from move_events.countries import is_eu
from move_events.demo import data
from move_events.demo.people import Pools, has_registrations, pick, pick_all, register
from move_events.events.models import Event, EventStatus
from move_events.extensions import db
from move_events.meetings.booking import event_slots
from move_events.meetings.requests import accept_meeting, decline_meeting, request_meeting, set_unavailability
from move_events.outbox.services import email_url_context
from move_events.registration.models import Registration
from move_events.registration.notifications import personal_url

TITLE = "B2B brokerage Casablanca 2027: hydrogen and green building"
PARTICIPANTS = ("sme-ES:0-3", "sme-BG:0-3", "sme-FR:0-3", "sme-IT:0-4", "sme-MA:0-17",
                "partner-ES", "partner-IT", "tc-MA:0", "tc-MA:1", "cluster-FR")  # fmt: skip
TRY_IT = ("sme-ES:0", "sme-MA:8")  # whose links the seed prints; they have no meeting together
OWN_PROFILES = {
    "sme-ES:0": {
        "offers": "Reefer containers and cold-chain logistics Las Palmas – Agadir – Tanger Med, weekly",
        "requests": "Moroccan exporters of fruit, vegetables and fish; a warehouse partner in Tanger Med",
        "sectors": ["logistics", "cold chain"],
        "target_markets": ["MA"],
    },
    "sme-MA:8": {
        "offers": "Bonded warehouse and cross-docking in the Tanger Med free zone, customs clearance",
        "requests": "European forwarders and cold-chain carriers for weekly loads to the Canary Islands",
        "sectors": ["logistics", "freight forwarding"],
        "target_markets": ["ES", "FR"],
    },
}
PENDING = [("sme-MA:12", "sme-ES:0"), ("sme-IT:2", "sme-MA:8"), ("sme-IT:0", "sme-MA:9"),
           ("sme-BG:0", "sme-MA:10"), ("sme-MA:11", "sme-FR:0")]  # fmt: skip
ACCEPTED = [("sme-ES:1", "sme-MA:13"), ("sme-FR:1", "sme-MA:14"), ("partner-IT", "sme-MA:15"),
            ("sme-BG:1", "sme-IT:3"), ("tc-MA:0", "sme-IT:4"), ("sme-MA:16", "sme-ES:2")]  # fmt: skip
DECLINED = [("sme-FR:2", "sme-MA:17")]
UNAVAILABLE = {"sme-MA:3": (0, 1), "sme-BG:2": (-1,), "partner-ES": (5,), "sme-FR:3": (3, 4)}


@dataclass(frozen=True)
class TryLink:
    name: str
    organisation: str
    url: str


def _profile(spec: str, index: int, person) -> dict:
    own = next((p for key, p in OWN_PROFILES.items() if _key(key) == spec), None)
    if own is not None:
        return own
    org = person.organisation
    sectors = list(org.sectors or [])
    offers, requests = next((data.PROFILES[s] for s in sectors if s in data.PROFILES), data.PROFILES["trade"])
    markets = data.TARGET_MARKETS["EU" if is_eu(org.country) else "MA"]
    return {"offers": offers, "requests": requests, "sectors": sectors,
            "target_markets": markets[index % len(markets)]}  # fmt: skip


def fill_brokerage(*, found: Pools) -> int:
    """Register the participants and their requests once; returns how many records it added."""
    event = db.session.scalar(select(Event).where(Event.title == TITLE))
    if event is None or event.status != EventStatus.PUBLISHED or has_registrations(event):
        return 0
    registrations: dict[str, Registration] = {}
    specs = [(f"{spec.partition(':')[0]}:{n}", person) for spec in PARTICIPANTS
             for n, person in _numbered(found, spec)]  # fmt: skip
    for index, (spec, person) in enumerate(specs):
        registrations[spec] = register(event, person, at=None, profile=_profile(spec, index, person))
    slots = event_slots(event)
    for spec, picks in UNAVAILABLE.items():
        set_unavailability(
            registration=registrations[_key(spec)], slot_starts=[slots[i].start for i in picks]
        )
    for requester, counterpart in PENDING + ACCEPTED + DECLINED:
        meeting = request_meeting(
            requester=registrations[_key(requester)],
            counterpart=registrations[_key(counterpart)],
            message="We saw your profile: shall we meet in Casablanca?",
        )
        if (requester, counterpart) in ACCEPTED:
            accept_meeting(meeting=meeting, by=registrations[_key(counterpart)])
        elif (requester, counterpart) in DECLINED:
            decline_meeting(meeting=meeting, by=registrations[_key(counterpart)])
    return len(registrations) + len(UNAVAILABLE) + len(PENDING) + len(ACCEPTED) + len(DECLINED)


def try_links(found: Pools) -> list[TryLink]:
    """Fresh personal links of the two demo SMEs (links are signed with a timestamp: new on each run)."""
    event = db.session.scalar(select(Event).where(Event.title == TITLE))
    links = []
    for spec in TRY_IT:
        (person,) = pick(found, spec)
        registration = (
            db.session.scalar(
                select(Registration).where(
                    Registration.event_id == event.id, Registration.person_id == person.id
                )
            )
            if event is not None
            else None
        )
        if registration is not None:
            with email_url_context():
                url = personal_url(registration)
            links.append(TryLink(person.full_name, person.organisation.name, url))
    return links


def _key(spec: str) -> str:
    """``pool`` and ``pool:0`` are the same person."""
    return spec if ":" in spec else f"{spec}:0"


def _numbered(found: Pools, spec: str):
    span = spec.partition(":")[2] or "0"
    first = int(span.partition("-")[0])
    return list(enumerate(pick_all(found, (spec,)), start=first))
