from datetime import UTC, datetime, timedelta

import pytest

from move_events.auth.models import Role
from move_events.events.models import EventStatus
from move_events.events.services import (
    EventError,
    can_manage,
    cancel_event,
    create_event,
    publish_event,
    registration_is_open,
    slugify,
    update_event,
)
from tests.factories import event_details, make_event

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Green Hydrogen Days", "green-hydrogen-days"),
        ("Journées Créatives: IT & Design", "journees-creatives-it-design"),
        ("Български клъстер", "event"),
        ("  --  ", "event"),
    ],
)
def test_slugify_gives_ascii_slugs(title, slug):
    assert slugify(title) == slug


def test_create_event_is_draft_with_unique_slug(db):
    first = make_event(title="B2B Casablanca", starts_at=NOW)
    second = make_event(title="B2B Casablanca", starts_at=NOW)
    assert first.status == EventStatus.DRAFT
    assert first.slug == "b2b-casablanca-2026"
    assert second.slug == "b2b-casablanca-2026-2"


def test_create_event_stores_times_as_utc(db):
    event = make_event(starts_at=NOW, timezone="America/Sao_Paulo")
    db.session.expire_all()
    assert event.starts_at == NOW
    assert event.starts_at.tzinfo is not None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": NOW - timedelta(hours=1)}, "end after it starts"),
        ({"capacity": 0}, "Capacity must be at least 1"),
        (
            {
                "registration_opens_at": NOW - timedelta(days=1),
                "registration_closes_at": NOW - timedelta(days=2),
            },
            "close after it opens",
        ),
        ({"registration_closes_at": NOW + timedelta(days=3)}, "cannot close after the event ends"),
        ({"has_meetings": True, "slot_minutes": 20, "tables": 10}, "at least one session"),
        ({"has_meetings": True, "slot_minutes": None, "tables": 10, "sessions": []}, "slot length"),
        (
            {
                "has_meetings": True,
                "slot_minutes": 20,
                "tables": 10,
                "sessions": [(NOW, NOW + timedelta(days=2))],
            },
            "within the event",
        ),
    ],
)
def test_create_event_refuses_inconsistent_details(db, overrides, message):
    with pytest.raises(EventError, match=message):
        create_event(details=event_details(starts_at=NOW, **overrides), created_by=None)


def test_update_event_replaces_sessions(db):
    event = make_event(
        starts_at=NOW,
        has_meetings=True,
        slot_minutes=20,
        tables=10,
        sessions=[(NOW, NOW + timedelta(hours=2))],
    )
    later = (NOW + timedelta(hours=3), NOW + timedelta(hours=5))
    update_event(
        event,
        details=event_details(
            starts_at=NOW,
            has_meetings=True,
            slot_minutes=20,
            tables=10,
            sessions=[later, (NOW, NOW + timedelta(hours=1))],
        ),
    )
    db.session.commit()
    assert [(s.starts_at, s.ends_at) for s in event.sessions] == [(NOW, NOW + timedelta(hours=1)), later]


def test_cancelled_event_can_be_neither_changed_nor_published(db):
    event = make_event(published=True)
    cancel_event(event)
    with pytest.raises(EventError):
        publish_event(event)
    with pytest.raises(EventError):
        update_event(event, details=event_details())
    assert event.status == EventStatus.CANCELLED


@pytest.mark.parametrize(
    ("status", "opens", "closes", "now", "expected"),
    [
        ("published", None, None, NOW, True),
        ("draft", None, None, NOW, False),
        ("published", NOW + timedelta(hours=1), None, NOW, False),
        ("published", None, NOW - timedelta(minutes=1), NOW, False),
        ("published", None, None, NOW + timedelta(days=60), False),
    ],
)
def test_registration_is_open_follows_status_and_window(db, status, opens, closes, now, expected):
    event = make_event(
        starts_at=NOW + timedelta(days=1), registration_opens_at=opens, registration_closes_at=closes
    )
    if status == "published":
        publish_event(event)
    assert registration_is_open(event, now=now) is expected


def test_can_manage_by_creator_partner_cluster_and_admin(db, auth):
    from move_events.directory.models import Organisation, OrganisationKind

    cluster = Organisation(name="Cluster A", kind=OrganisationKind.CLUSTER, country="FR", is_partner=True)
    other = Organisation(name="Cluster B", kind=OrganisationKind.CLUSTER, country="IT", is_partner=True)
    db.session.add_all([cluster, other])
    organiser = auth.user(Role.ORGANISER)
    admin = auth.user(Role.ADMIN)
    staff = auth.user(Role.STAFF)
    organiser.partner_cluster = cluster
    own = make_event(created_by=organiser)
    clusters = make_event(organiser=cluster)
    foreign = make_event(organiser=other)
    assert can_manage(organiser, own) and can_manage(organiser, clusters)
    assert not can_manage(organiser, foreign)
    assert can_manage(admin, foreign)
    assert not can_manage(staff, own)
