"""Every route, every role: who may open what. A new route must be added to ACCESS to pass.

Roles from least to most: anonymous < staff (door) < organiser < admin. A route open to a role is
open to the roles above it. Below the minimum, anonymous visitors are sent to log in and logged-in
users get 403 — and nothing changes.
"""

from __future__ import annotations

import pytest

from move_events.auth.models import Role
from move_events.badges.models import BadgePrintJob
from move_events.checkin.models import CheckInList
from move_events.directory.models import Organisation, OrganisationKind, Person
from move_events.extensions import db as _db
from move_events.meetings.models import Meeting
from move_events.registration.links import make_personal_token
from move_events.registration.models import Registration, RegistrationStatus
from tests.factories import make_event

PUBLIC = None
ACCESS: dict[str, Role | None] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": Role.STAFF,
    "events.public_list": PUBLIC,
    "events.public_detail": PUBLIC,
    "registration.create": PUBLIC,
    "registration.thanks": PUBLIC,
    "registration.request_link": PUBLIC,
    "registration.manage": PUBLIC,  # the personal link is the key
    "registration.cancel": PUBLIC,
    "events.manage_list": Role.ORGANISER,
    "events.create": Role.ORGANISER,
    "events.manage_detail": Role.ORGANISER,
    "events.edit": Role.ORGANISER,
    "events.publish": Role.ORGANISER,
    "events.cancel": Role.ORGANISER,
    "directory.organisation_list": Role.ORGANISER,
    "directory.organisation_create": Role.ORGANISER,
    "directory.organisation_detail": Role.ORGANISER,
    "directory.organisation_edit": Role.ORGANISER,
    "directory.person_list": Role.ORGANISER,
    "directory.person_create": Role.ORGANISER,
    "directory.person_edit": Role.ORGANISER,
    "outbox.message_list": Role.ADMIN,
    "outbox.message_detail": Role.ADMIN,
    "outbox.attachment_download": Role.ADMIN,
    "outbox.message_requeue": Role.ADMIN,
    "outbox.send_now": Role.ADMIN,
    "registration.manage_list": Role.ORGANISER,
    "registration.manage_action": Role.ORGANISER,
    "registration.manage_add": Role.ORGANISER,
    "registration.manage_import": Role.ORGANISER,
    "registration.manage_export": Role.ORGANISER,
    "badges.personal_badge": PUBLIC,  # the personal link is the key
    "badges.event_badges": Role.ORGANISER,
    "badges.reissue": Role.ORGANISER,
    "badges.start_badge_job": Role.ORGANISER,
    "badges.badge_job": Role.ORGANISER,
    "badges.badge_job_progress": Role.ORGANISER,
    "badges.badge_job_download": Role.ORGANISER,
    "badges.start_agenda_job": Role.ORGANISER,
    "badges.start_table_plan_job": Role.ORGANISER,
    "badges.retry_badge_job": Role.ORGANISER,
    "checkin.event_list": Role.STAFF,
    "checkin.door": Role.STAFF,
    "checkin.scan": Role.STAFF,
    "checkin.search": Role.STAFF,
    "checkin.registration_check_in": Role.STAFF,
    "checkin.registration_undo": Role.STAFF,
    "checkin.count": Role.STAFF,
    "checkin.walk_in": Role.STAFF,
    "checkin.registration_badge": Role.STAFF,
    "checkin.sign_in_sheet": Role.ORGANISER,
    "meetings.marketplace": PUBLIC,  # the personal link is the key (meetings: requests helper)
    "meetings.profile": PUBLIC,
    "meetings.request_meeting": PUBLIC,
    "meetings.my_meetings": PUBLIC,
    "meetings.accept": PUBLIC,
    "meetings.decline": PUBLIC,
    "meetings.cancel": PUBLIC,
    "meetings.availability": PUBLIC,
    "meetings.staff_marketplace": Role.STAFF,
    "meetings.manage_list": Role.ORGANISER,  # meetings: planning helper
    "meetings.manage_create": Role.ORGANISER,
    "meetings.manage_update": Role.ORGANISER,
    "meetings.run_scheduler": Role.ORGANISER,
    "meetings.scheduler_job": Role.ORGANISER,
    "meetings.scheduler_job_progress": Role.ORGANISER,
    "meetings.manage_mark": Role.ORGANISER,
    "meetings.manage_export": Role.ORGANISER,
    "meetings.outcome": PUBLIC,  # the personal link is the key
    "meetings.agenda": PUBLIC,  # the personal link is the key (meetings: agendas helper)
    "meetings.agenda_pdf": PUBLIC,
    "meetings.agenda_ics": PUBLIC,
    "meetings.manage_agenda_pdf": Role.ORGANISER,
    "meetings.table_plan": Role.ORGANISER,
    "checkin.frame": Role.STAFF,
    "checkin.checkin_lists": Role.ORGANISER,
    "checkin.checkin_list_delete": Role.ORGANISER,
    "reports.report": Role.ORGANISER,
    "reports.events_export": Role.ORGANISER,
    "reports.stakeholders_export": Role.ORGANISER,
    "reports.xlsx_export": Role.ORGANISER,
    "reports.pdf_export": Role.ORGANISER,
    "api.tokens": Role.STAFF,  # (api) one's own API tokens; admins see all
    "api.token_revoke": Role.STAFF,
    "api-docs.openapi_json": PUBLIC,  # (api) the OpenAPI document
    # (api) The JSON API takes a bearer token, never the cookie session this matrix logs in with: PUBLIC
    # here means "not a cookie-session route"; the matrix checks every role's session gets 401 there
    # (TOKEN_ONLY), and tests/api prove the token rules (role and scope of the token).
    "api_events.list_events": PUBLIC,
    "api_events.get_event": PUBLIC,
    "api_registrations.list_registrations": PUBLIC,
    "api_registrations.create_registration": PUBLIC,
    "api_registrations.get_registration": PUBLIC,
    "api_registrations.cancel": PUBLIC,
    "api_checkin.scan": PUBLIC,
    "api_meetings.list_meetings": PUBLIC,
    "api_meetings.update_meeting": PUBLIC,
    "api_reports.table_a": PUBLIC,
    "api_reports.table_b": PUBLIC,
}
ORDER = [None, Role.STAFF, Role.ORGANISER, Role.ADMIN]
TOKEN_ONLY = {endpoint for endpoint in ACCESS if endpoint.startswith("api_")}  # (api) see above


def test_role_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), "classify new routes in ACCESS"


@pytest.fixture
def sample(app, db, auth, monkeypatch):
    monkeypatch.setitem(app.config, "BADGE_JOBS_IN_THREAD", False)  # POSTed jobs stay queued
    organiser = auth.user(Role.ORGANISER)  # owns the event; ownership itself is tested in tests/events
    organisation = Organisation(name="Cluster Solaire", kind=OrganisationKind.CLUSTER, country="MA")
    person = Person(
        given_name="Salma", family_name="Tazi", email="salma@example.ma", organisation=organisation
    )
    _db.session.add_all([organisation, person])
    event = make_event(published=True, created_by=organiser)
    registration = Registration(event=event, person=person, status=RegistrationStatus.CONFIRMED)
    other = Person(given_name="Ana", family_name="Lima", email="ana@example.br", organisation=organisation)
    other_registration = Registration(event=event, person=other, status=RegistrationStatus.CONFIRMED)
    meeting = Meeting(event=event, requester=registration, counterpart=other_registration)
    _db.session.add_all([registration, other_registration, meeting])
    job = BadgePrintJob(event=event, requested_by=organiser, layout="a6", statuses=["confirmed"], total=1)
    _db.session.add(job)
    checkin_list = CheckInList(event=event, name="Day 1")  # deleted by the POST (it has no entries)
    _db.session.add(checkin_list)
    _db.session.commit()
    with app.test_request_context():
        token = make_personal_token(registration)
    return {
        "token": token,
        "event_id": event.id,
        "slug": event.slug,
        "org_id": organisation.id,
        "person_id": person.id,
        "filename": "css/app.css",
        "message_id": 1,  # no such message: admins get 404, the others are turned away before that
        "attachment_id": 1,
        "registration_id": registration.id,
        "action": "approve",  # the registration is confirmed already: refused with a message, no change
        "fmt": "xlsx",
        "job_id": job.id,  # queued: its download is 404 for those let in
        "meeting_id": meeting.id,  # requested by `registration` (the token's) from `other_registration`
        "other_registration_id": other_registration.id,
        "list_id": checkin_list.id,
        "api_token_id": 1,  # (api) no such token: 404 for those let in
    }


def _requests(app, sample):
    for rule in app.url_map.iter_rules():
        args = {name: sample[name] for name in rule.arguments}
        if rule.endpoint == "bootstrap.static":
            args = {"filename": "css/bootstrap.min.css"}
        path = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


@pytest.mark.parametrize("role", ORDER, ids=lambda r: r.value if r else "anonymous")
def test_role_matrix_every_route_checks_the_role(app, client, auth, sample, role):
    if role is not None:
        auth.login(role)
    for endpoint, method, path in _requests(app, sample):
        if endpoint == "auth.logout":
            continue  # would end this test's session; tested in tests/auth
        needed = ACCESS[endpoint]
        response = client.open(path, method=method, data={})
        response.close()  # static files stream from open file handles
        allowed = needed is None or (role is not None and ORDER.index(role) >= ORDER.index(needed))
        where = f"{method} {path} as {role or 'anonymous'}"
        if endpoint in TOKEN_ONLY:  # (api) a cookie session is never accepted by the JSON API
            assert response.status_code == 401 and response.is_json, where
            continue
        if allowed:
            assert response.status_code not in (401, 403), where
            assert "/auth/login" not in response.headers.get("Location", ""), where
        elif role is None:
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where
