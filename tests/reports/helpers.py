"""A small partnership's past work, made through the services, for the report's page and export tests.

Two partner clusters organise three events that have taken place, plus one still to come:

- "Casablanca workshop" (preparatory, Morocco, 20 days ago, partner Alpha): a Moroccan SME and a
  Spanish cluster check in; a Spanish SME is confirmed but never comes.
- "Casablanca brokerage" (B2B, Morocco, 10 days ago, partner Alpha): meetings Moroccan SME ↔ Spanish SME
  (completed: B2B, "cooperation possible", agreement reached), Spanish cluster ↔ Moroccan cluster
  (completed: C2C), and one no-show.
- "São Paulo cluster mission" (C2C, Brazil, 5 days ago, partner Beta): a Brazilian cluster checks in.
- "Future mission" (B2B, Brazil, in 30 days): counts nowhere yet.

So table A reads Morocco 1, 0, 1, 1, 1; Brazil 0, 1, 0, 0, 0; and table B Morocco 1 EU cluster,
1 EU SME, 1 third-country cluster, 1 third-country SME; Brazil 1 third-country cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from move_events.checkin.services import check_in_registration
from move_events.directory.models import Organisation, OrganisationKind
from move_events.events.models import Event, EventCategory
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingOutcome, MeetingStatus
from move_events.registration.models import Registration
from move_events.registration.services import register_person
from tests.factories import make_event, participant

K = OrganisationKind


@dataclass
class Scenario:
    alpha: Organisation
    beta: Organisation
    workshop: Event
    brokerage: Event
    mission: Event


def days_ago(days: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)


def organisation(name: str, kind: OrganisationKind, country: str, *, partner: bool = False) -> Organisation:
    org = Organisation(name=name, kind=kind, country=country, is_partner=partner)
    _db.session.add(org)
    _db.session.commit()
    return org


def attendee(event: Event, org: Organisation, *, check_in: bool = True) -> Registration:
    """A confirmed registration of someone from ``org`` (added by an organiser), checked in at the door."""
    registration = register_person(event=event, details=participant(organisation=org), by_organiser=True)
    _db.session.flush()
    if check_in:
        check_in_registration(
            event=event, registration=registration, user=None, nonce=None, now=event.starts_at
        )
    _db.session.commit()
    return registration


def held_meeting(
    event: Event,
    requester: Organisation,
    counterpart: Organisation,
    *,
    status: MeetingStatus = MeetingStatus.COMPLETED,
    **fields,
) -> Meeting:
    """A meeting between people of two organisations, marked as it ended (completed or no-show)."""
    meeting = Meeting(
        event=event,
        requester=attendee(event, requester, check_in=False),
        counterpart=attendee(event, counterpart, check_in=False),
        status=status,
        slot_start=event.starts_at,
        **fields,
    )
    _db.session.add(meeting)
    _db.session.commit()
    return meeting


def past_event(
    title: str, category: EventCategory, country: str, organiser: Organisation, days: int
) -> Event:
    return make_event(
        published=True,
        title=title,
        category=category,
        target_country=country,
        organiser=organiser,
        starts_at=days_ago(days),
    )


def build_scenario() -> Scenario:
    alpha = organisation("Alpha Energy Cluster", K.CLUSTER, "ES", partner=True)
    beta = organisation("Beta Mobility Cluster", K.CLUSTER, "IT", partner=True)
    sme_ma = organisation("Atlas Solaire", K.SME, "MA")
    sme_es = organisation("Sol de Extremadura", K.SME, "ES")
    cluster_es = organisation("Clúster de Energía", K.CLUSTER, "ES")
    cluster_ma = organisation("Cluster Solaire Maroc", K.CLUSTER, "MA")
    cluster_br = organisation("Cluster Paulista", K.CLUSTER, "BR")

    workshop = past_event("Casablanca workshop", EventCategory.PREPARATORY, "MA", alpha, 20)
    attendee(workshop, sme_ma)
    attendee(workshop, cluster_es)
    attendee(workshop, sme_es, check_in=False)

    brokerage = past_event("Casablanca brokerage", EventCategory.B2B, "MA", alpha, 10)
    held_meeting(
        brokerage,
        sme_ma,
        sme_es,
        requester_outcome=MeetingOutcome.COOPERATION_POSSIBLE,
        follow_up=MeetingFollowUp.AGREEMENT_REACHED,
    )
    held_meeting(brokerage, cluster_es, cluster_ma)
    held_meeting(brokerage, sme_ma, cluster_ma, status=MeetingStatus.NO_SHOW)

    mission = past_event("São Paulo cluster mission", EventCategory.C2C, "BR", beta, 5)
    attendee(mission, cluster_br)

    future = make_event(
        published=True, title="Future mission", category=EventCategory.B2B, target_country="BR"
    )
    attendee(future, cluster_br, check_in=False)
    return Scenario(alpha=alpha, beta=beta, workshop=workshop, brokerage=brokerage, mission=mission)


class _Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts, keyed by its caption."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self._cell is not None:
            self._cell.append(" ")  # <br>, <small>: words apart
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._name] = self._rows

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables
