"""Create the demo data through the services. Deterministic (fixed seed) and safe to re-run: what
already exists (same organisation name and country, same e-mail, same event title, an event with
registrations) is left alone. The past events' story is in ``history``, the upcoming brokerage event's in
``brokerage``; docs/demo.md tells how the KPI report's numbers arise from them."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from move_events.auth.models import Role, User
from move_events.auth.services import create_user, find_user
from move_events.demo import data
from move_events.demo.brokerage import TryLink, fill_brokerage, try_links
from move_events.demo.history import write_history
from move_events.demo.people import has_registrations, pools, register
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.directory.services import (
    create_organisation,
    create_person,
    find_organisation_by_name,
    find_person_by_email,
)
from move_events.events.models import Event, EventCategory, EventFormat, EventStatus, EventSubtype
from move_events.events.services import EventDetails, cancel_event, create_event, publish_event
from move_events.extensions import db
from move_events.outbox.services import no_mail

DEMO_USERS = [
    ("admin@move-events.example", "demo-admin-2026", Role.ADMIN),
    ("organiser@move-events.example", "demo-organiser-2026", Role.ORGANISER),
    ("door@move-events.example", "demo-door-2026", Role.STAFF),
]

TIMEZONES = {"MA": "Africa/Casablanca", "BR": "America/Sao_Paulo", "ES": "Atlantic/Canary",
             "BG": "Europe/Sofia", "FR": "Europe/Paris", "IT": "Europe/Rome", None: "Europe/Brussels"}  # fmt: skip


@dataclass
class SeedSummary:
    organisations: int = 0
    people: int = 0
    events: int = 0
    created: int = 0
    try_links: list[TryLink] = field(default_factory=list)


@dataclass(frozen=True)
class DemoEvent:
    title: str
    category: EventCategory
    subtype: EventSubtype
    target: str | None
    city: str
    country: str | None
    days_from_today: int
    hours: int = 7
    format: EventFormat = EventFormat.ONSITE
    capacity: int | None = 80
    meetings: bool = False  # two sessions of 30-minute slots with 5-minute breaks, cap 8 per person
    tables: int = 12
    status: EventStatus = EventStatus.PUBLISHED


ALL_SECTORS = [sector for sectors in data.SECTORS_BY_CLUSTER.values() for sector in sectors]

C, S = EventCategory, EventSubtype
DEMO_EVENTS = [
    # Morocco, past: 5 preparatory, 3 C2C, 2 B2B (and one cancelled, which counts nowhere)
    DemoEvent("Morocco market info day", C.PREPARATORY, S.INFO_DAY, "MA", "Las Palmas de Gran Canaria", "ES", -420),
    DemoEvent("Doing business in Morocco: export workshop", C.PREPARATORY, S.WORKSHOP, "MA", "Sofia", "BG", -380),
    DemoEvent("Green building standards in Morocco", C.PREPARATORY, S.SEMINAR, "MA", "", None, -330,
              hours=2, format=EventFormat.ONLINE, capacity=None),
    DemoEvent("Hydrogen valleys: training for SMEs", C.PREPARATORY, S.TRAINING, "MA", "Torino", "IT", -300),
    DemoEvent("Study visit to Tanger Med", C.PREPARATORY, S.STUDY_VISIT, "MA", "Tanger", "MA", -270, hours=30),
    DemoEvent("Cluster meeting Casablanca: logistics", C.C2C, S.CLUSTER_MEETING, "MA", "Casablanca", "MA", -268,
              meetings=True, tables=4),
    DemoEvent("Cluster meeting Rabat: solar and green building", C.C2C, S.CLUSTER_MEETING, "MA", "Rabat", "MA",
              -200, meetings=True, tables=4),
    DemoEvent("Cluster meeting Lyon: creative industries", C.C2C, S.CLUSTER_MEETING, "MA", "Lyon", "FR", -150,
              meetings=True, tables=4),
    DemoEvent("B2B brokerage Casablanca 2025", C.B2B, S.BROKERAGE, "MA", "Casablanca", "MA", -240, meetings=True),
    DemoEvent("B2B brokerage Marrakech: digital", C.B2B, S.BROKERAGE, "MA", "Marrakech", "MA", -120, meetings=True),
    DemoEvent("Agadir logistics forum", C.PREPARATORY, S.CONFERENCE, "MA", "Agadir", "MA", -100,
              status=EventStatus.CANCELLED),
    # Brazil, past: 5 preparatory, 2 C2C, 1 B2B
    DemoEvent("Brazil market info day", C.PREPARATORY, S.INFO_DAY, "BR", "Lyon", "FR", -410),
    DemoEvent("Doing business in Brazil: webinar", C.PREPARATORY, S.SEMINAR, "BR", "", None, -360,
              hours=2, format=EventFormat.ONLINE, capacity=None),
    DemoEvent("Telecoms regulation in Brazil", C.PREPARATORY, S.WORKSHOP, "BR", "Sofia", "BG", -320),
    DemoEvent("Green hydrogen in Ceará: training", C.PREPARATORY, S.TRAINING, "BR", "Torino", "IT", -280),
    DemoEvent("São Paulo tech conference", C.PREPARATORY, S.CONFERENCE, "BR", "São Paulo", "BR", -230, hours=9),
    DemoEvent("Cluster meeting São Paulo: software and telecoms", C.C2C, S.CLUSTER_MEETING, "BR", "São Paulo",
              "BR", -228, meetings=True, tables=4),
    DemoEvent("Cluster meeting Recife: ports", C.C2C, S.CLUSTER_MEETING, "BR", "Recife", "BR", -160,
              meetings=True, tables=4),
    DemoEvent("B2B brokerage São Paulo 2025", C.B2B, S.BROKERAGE, "BR", "São Paulo", "BR", -229, meetings=True),
    # No target country
    DemoEvent("MOVE partnership kick-off", C.PREPARATORY, S.CONFERENCE, None, "Las Palmas de Gran Canaria", "ES",
              -450),
    # Upcoming
    DemoEvent("B2B brokerage Casablanca 2027: hydrogen and green building", C.B2B, S.BROKERAGE, "MA",
              "Casablanca", "MA", 45, capacity=200, meetings=True),
    DemoEvent("Cluster meeting Tanger: ports and logistics", C.C2C, S.CLUSTER_MEETING, "MA", "Tanger", "MA", 60, capacity=12),
    DemoEvent("Creative IT in Brazil: online info day", C.PREPARATORY, S.INFO_DAY, "BR", "", None, 20, hours=3,
              format=EventFormat.ONLINE, capacity=None),
    DemoEvent("B2B brokerage Fortaleza: green hydrogen", C.B2B, S.BROKERAGE, "BR", "Fortaleza", "BR", 120,
              meetings=True),
    DemoEvent("Export readiness workshop (draft)", C.PREPARATORY, S.WORKSHOP, "MA", "Plovdiv", "BG", 90,
              status=EventStatus.DRAFT),
]  # fmt: skip


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", plain)


class _Seeder:
    def __init__(self) -> None:
        self.rng = random.Random(2026)
        self.summary = SeedSummary()
        self.person_serial = 0

    def organisation(self, name: str, kind: OrganisationKind, country: str, **fields) -> Organisation:
        self.summary.organisations += 1
        found = find_organisation_by_name(name, country)
        if found is not None:
            return found
        self.summary.created += 1
        return create_organisation(name=name, kind=kind, country=country, **fields)

    def person(self, organisation: Organisation, names_key: str) -> Person:
        given_pool, family_pool, language = data.NAMES[names_key]
        given, family = self.rng.choice(given_pool), self.rng.choice(family_pool)
        job = self.rng.choice(data.JOB_TITLES)
        phone = (
            f"+{self.rng.randint(30, 399)} {self.rng.randint(600000000, 699999999)}"  # drawn even if unused
        )
        self.person_serial += 1
        local = _ascii(given)[:12] or "contact"
        email = f"{local}.{self.person_serial:03d}@{(_ascii(organisation.name) or 'org')[:24]}.example"
        self.summary.people += 1
        existing = find_person_by_email(email)
        if existing is not None:
            return existing
        self.summary.created += 1
        return create_person(
            given_name=given,
            family_name=family,
            email=email,
            job_title=job,
            organisation=organisation,
            preferred_language=language,
            phone=phone,
        )

    def directory(self) -> dict[str, Organisation]:
        partners: dict[str, Organisation] = {}
        for name, country, city, sectors in data.PARTNER_CLUSTERS:
            partners[country] = self.organisation(
                name, OrganisationKind.CLUSTER, country, city=city, sectors=sectors, is_partner=True
            )
            for _ in range(2):
                self.person(partners[country], country)
        for name, country, city, sectors in data.OTHER_EU_CLUSTERS:
            self.person(
                self.organisation(name, OrganisationKind.CLUSTER, country, city=city, sectors=sectors),
                country,
            )
        for country, partner in partners.items():
            prefixes, words, form = data.SME_WORDS[country]
            for i in range(data.EU_SMES_PER_COUNTRY):
                name = f"{prefixes[i % len(prefixes)]} {words[i % len(words)]} {form}"
                sme = self.organisation(
                    name, OrganisationKind.SME, country, city=self.rng.choice(data.CITIES[country]),
                    sectors=self.rng.sample(data.SECTORS_BY_CLUSTER[country], 2), partner_cluster=partner,
                )  # fmt: skip
                self.person(sme, country)
        for name, kind, country, city, sectors in data.THIRD_COUNTRY_CLUSTERS:
            self.person(self.organisation(name, kind, country, city=city, sectors=sectors), country)
        for country, how_many in data.THIRD_COUNTRY_SMES.items():
            prefixes, words, form = data.SME_WORDS[country]
            arabic = data.ARABIC_SME_NAMES if country == "MA" else []
            for i in range(how_many):
                if i < len(arabic):
                    name = arabic[i]
                else:
                    name = f"{prefixes[i % len(prefixes)]} {words[(i // len(prefixes)) % len(words)]} {form}"
                sme = self.organisation(
                    name, OrganisationKind.SME, country, city=self.rng.choice(data.CITIES[country]),
                    sectors=[self.rng.choice(ALL_SECTORS)],
                )  # fmt: skip
                names_key = "MA-ar" if country == "MA" and i % 3 == 0 else country
                self.person(sme, names_key)
        return partners

    def users(self, partners: dict[str, Organisation]) -> dict[Role, User]:
        users = {}
        for email, password, role in DEMO_USERS:
            user = find_user(email)
            if user is None:
                user = create_user(email=email, password=password, role=role, name=f"Demo {role.value}")
                user.partner_cluster = partners["ES"] if role == Role.ORGANISER else None
                self.summary.created += 1
            users[role] = user
        return users

    def events(self, partners: dict[str, Organisation], organiser: User) -> None:
        today = datetime.now(ZoneInfo("UTC")).date()
        partner_list = list(partners.values())
        for n, spec in enumerate(DEMO_EVENTS):
            self.summary.events += 1
            if db.session.scalar(select(Event.id).where(Event.title == spec.title)) is not None:
                continue
            tz = ZoneInfo(TIMEZONES[spec.country if spec.format != EventFormat.ONLINE else None])
            starts = datetime.combine(today + timedelta(days=spec.days_from_today), time(9, 0), tzinfo=tz)
            ends = starts + timedelta(hours=max(spec.hours, 9) if spec.meetings else spec.hours)
            sessions = []
            if spec.meetings:  # 09:30-12:30 and 14:00-17:00: five 30-minute slots each
                sessions = [(starts + timedelta(minutes=30), starts + timedelta(hours=3, minutes=30)),
                            (starts + timedelta(hours=5), starts + timedelta(hours=8))]  # fmt: skip
            details = EventDetails(
                title=spec.title,
                category=spec.category,
                subtype=spec.subtype,
                format=spec.format,
                starts_at=starts,
                ends_at=ends,
                timezone=tz.key,
                description=f"{spec.title}. An event of the MOVE cluster partnership.",
                target_country=spec.target,
                venue="" if spec.format == EventFormat.ONLINE else f"{spec.city} business centre",
                city=spec.city,
                country=spec.country,
                capacity=spec.capacity,
                registration_closes_at=starts - timedelta(days=2) if spec.days_from_today > 2 else None,
                organiser=partner_list[n % len(partner_list)],
                has_meetings=spec.meetings,
                slot_minutes=30 if spec.meetings else None,
                break_minutes=5 if spec.meetings else 0,
                tables=spec.tables if spec.meetings else None,
                meeting_cap=8 if spec.meetings else None,
                sessions=sessions,
            )
            event = create_event(details=details, created_by=organiser)
            if spec.status in (EventStatus.PUBLISHED, EventStatus.CANCELLED):
                publish_event(event)
            if spec.status == EventStatus.CANCELLED:
                cancel_event(event)
            self.summary.created += 1


# Upcoming events that already have registrations (the brokerage event's are in ``brokerage``):
# (title, how many people)
DEMO_REGISTRATIONS = [
    ("Cluster meeting Tanger: ports and logistics", 15),  # 12 seats: three on the waiting list
    ("Creative IT in Brazil: online info day", 10),
]


def _registrations(seeder: _Seeder) -> None:
    """Registrations through the public rules (seats, waiting list)."""
    people = db.session.scalars(select(Person).join(Organisation).order_by(Person.id)).all()
    for title, how_many in DEMO_REGISTRATIONS:
        event = db.session.scalar(select(Event).where(Event.title == title))
        if event is None or event.status != EventStatus.PUBLISHED or has_registrations(event):
            continue
        for person in seeder.rng.sample(people, how_many):
            register(event, person, at=None)
            seeder.summary.created += 1


def seed_demo() -> SeedSummary:
    """Create (or complete) the demo data. Flushes; the caller commits. Queues no e-mail (``outbox.no_mail``)."""
    seeder = _Seeder()
    with no_mail():
        partners = seeder.directory()
        users = seeder.users(partners)
        seeder.events(partners, users[Role.ORGANISER])
        found = pools()
        seeder.summary.created += write_history(
            found=found, door=users[Role.STAFF], organiser=users[Role.ORGANISER], rng=seeder.rng
        )
        seeder.summary.created += fill_brokerage(found=found)
        _registrations(seeder)
        db.session.flush()
        seeder.summary.try_links = try_links(found)
    return seeder.summary
