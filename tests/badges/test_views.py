"""Badge pages: a participant's own badge through their link, organisers' bulk PDF, reissuing."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.badges.tokens import BadgeTokenInvalid, make_badge_token, verify_badge_token
from move_events.directory.models import Organisation, OrganisationKind
from move_events.outbox.deferred import render_deferred
from move_events.outbox.models import OutboxMessage
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration, RegistrationStatus
from move_events.registration.services import cancel_registration
from tests.factories import make_event, register


def page_count(data: bytes) -> int:
    document = pdfium.PdfDocument(data)
    try:
        return len(document)
    finally:
        document.close()


def link(app, registration: Registration) -> str:
    with app.test_request_context():
        return make_personal_token(registration)


@pytest.fixture
def owner(auth):
    return auth.user(Role.ORGANISER)


@pytest.fixture
def full_event(db, owner):
    """Capacity 5: five confirmed, one on the waiting list, and a cancelled registration elsewhere."""
    event = make_event(published=True, capacity=5, created_by=owner)
    confirmed = [register(event, family_name=f"Person {n}") for n in range(5)]
    waiting = register(event)
    cancelled = register(make_event(published=True))
    cancel_registration(cancelled)
    db.session.commit()
    assert waiting.status == RegistrationStatus.WAITLISTED
    return event, confirmed, waiting


def test_personal_badge_downloads_for_a_confirmed_registration(app, client, full_event):
    event, confirmed, _ = full_event
    response = client.get(f"/r/{link(app, confirmed[0])}/badge.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"inline; filename=badge-{event.slug}.pdf"
    assert "no-store" in response.headers["Cache-Control"]
    assert page_count(response.data) == 1


def test_personal_badge_of_a_waitlisted_registration_is_404(app, client, full_event):
    _, _, waiting = full_event
    response = client.get(f"/r/{link(app, waiting)}/badge.pdf")
    assert response.status_code == 404
    assert "Your badge is not ready" in response.get_data(as_text=True)


def test_personal_badge_with_a_forged_link_is_404(app, client, full_event):
    _, confirmed, _ = full_event
    token = link(app, confirmed[0])
    response = client.get(f"/r/{token[:-2]}xx/badge.pdf")
    assert response.status_code == 404
    assert "This personal link is not valid" in response.get_data(as_text=True)


def test_manage_page_offers_the_badge_only_when_confirmed(app, client, full_event):
    _, confirmed, waiting = full_event
    assert "Download my badge" in client.get(f"/r/{link(app, confirmed[0])}").get_data(as_text=True)
    assert "Download my badge" not in client.get(f"/r/{link(app, waiting)}").get_data(as_text=True)


@pytest.mark.parametrize(("layout", "pages"), [("a6", 5), ("a4_quad", 2), ("name_tags", 1)])
def test_event_badges_pdf_holds_the_confirmed_registrations(client, auth, full_event, layout, pages):
    event, _, _ = full_event
    auth.login(Role.ORGANISER)
    response = client.get(f"/manage/events/{event.id}/badges.pdf?layout={layout}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"badges-{event.slug}-{layout}.pdf" in response.headers["Content-Disposition"]
    assert page_count(response.data) == pages


def test_event_badges_may_print_the_waiting_list_ahead(client, auth, full_event):
    event, _, _ = full_event
    auth.login(Role.ORGANISER)
    response = client.get(f"/manage/events/{event.id}/badges.pdf?status=waitlisted")
    assert response.status_code == 200 and page_count(response.data) == 1


@pytest.mark.parametrize("query", ["layout=a3", "status=cancelled", "status=nope"])
def test_event_badges_refuse_unknown_layout_or_status(client, auth, full_event, query):
    event, _, _ = full_event
    auth.login(Role.ORGANISER)
    assert client.get(f"/manage/events/{event.id}/badges.pdf?{query}").status_code == 400


def test_event_badges_above_the_limit_wait_for_background_printing(
    app, client, auth, full_event, monkeypatch
):
    event, _, _ = full_event
    monkeypatch.setitem(app.config, "BADGES_SYNC_LIMIT", 4)
    auth.login(Role.ORGANISER)
    response = client.get(f"/manage/events/{event.id}/badges.pdf")
    assert response.status_code == 413
    assert "Too many badges to print at once" in response.get_data(as_text=True)


def test_event_badges_are_refused_to_door_staff(client, auth, full_event):
    event, _, _ = full_event
    auth.login(Role.STAFF)
    assert client.get(f"/manage/events/{event.id}/badges.pdf").status_code == 403


def test_event_page_offers_badge_printing(client, auth, full_event):
    event, _, _ = full_event
    auth.login(Role.ORGANISER)
    page = client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    assert f"/manage/events/{event.id}/badges.pdf" in page and "Print badges" in page


def test_reissue_revokes_the_old_badge(client, auth, db, full_event):
    event, confirmed, _ = full_event
    registration = confirmed[0]
    old = make_badge_token(registration)
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/registrations/{registration.id}/reissue-badge"
    response = client.post(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}/registrations/")
    db.session.expire_all()
    with pytest.raises(BadgeTokenInvalid):
        verify_badge_token(old)
    assert verify_badge_token(make_badge_token(registration)).id == registration.id
    assert "A new badge is issued" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_reissue_by_an_organiser_of_another_cluster_is_403(client, auth, db, full_event):
    event, confirmed, _ = full_event
    cluster_a = Organisation(name="Cluster A", kind=OrganisationKind.CLUSTER, country="ES", is_partner=True)
    cluster_b = Organisation(name="Cluster B", kind=OrganisationKind.CLUSTER, country="FR", is_partner=True)
    event.organiser, event.created_by = cluster_a, None
    auth.user(Role.ORGANISER).partner_cluster = cluster_b
    db.session.commit()
    old = make_badge_token(confirmed[0])
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/registrations/{confirmed[0].id}/reissue-badge"
    assert client.post(url).status_code == 403
    db.session.expire_all()
    assert verify_badge_token(old).id == confirmed[0].id  # still valid
    # Reading and printing stay open to every organiser.
    assert client.get(f"/manage/events/{event.id}/badges.pdf").status_code == 200


def test_reissue_of_another_events_registration_is_404(client, auth, db, owner, full_event):
    event, _, _ = full_event
    stranger = register(make_event(published=True, created_by=owner))
    auth.login(Role.ORGANISER)
    url = f"/manage/events/{event.id}/registrations/{stranger.id}/reissue-badge"
    assert client.post(url).status_code == 404


def test_confirmation_mail_carries_the_badge_and_the_ics(db, full_event):
    event, confirmed, waiting = full_event
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    by_registration = {message.registration_id: message for message in messages}
    attachments = by_registration[confirmed[0].id].attachments
    assert [a.filename for a in attachments] == [f"{event.slug}.ics", f"badge-{event.slug}.pdf"]
    assert render_deferred(db.session, attachments) == 1  # the badge is made when the mail is sent
    badge = attachments[1]
    assert badge.content_type == "application/pdf" and page_count(badge.data) == 1
    assert [a.filename for a in by_registration[waiting.id].attachments] == []
