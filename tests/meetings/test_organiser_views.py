"""The organiser's meeting pages through the app: list, arrange, lock / move / notes, scheduler run,
marks and exports, and who may use them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from move_events.auth.models import Role
from move_events.directory.models import Organisation, OrganisationKind
from move_events.meetings.booking import event_slots
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.meetings.scheduler_jobs import wait_for_scheduler_jobs
from tests.directory.support import FormPage
from tests.meetings.planning_support import brokerage, meeting_between, person_at


@pytest.fixture
def organiser(auth):
    return auth.login(Role.ORGANISER)


def _event(organiser, **kw):
    return brokerage(created_by=organiser, **kw)


def _base(event):
    return f"/manage/events/{event.id}/meetings"


def test_list_shows_both_sides_counts_and_filters(client, organiser, db):
    event = _event(organiser)
    a = person_at(event, "Amina", organisation="Souss Agro")
    b = person_at(event, "Bruno", kind=OrganisationKind.CLUSTER)
    c = person_at(event, "Chen")
    scheduled = meeting_between(a, b, slot=1, locked=True)
    meeting_between(b, c, status=MeetingStatus.REQUESTED)
    page = client.get(_base(event)).get_data(as_text=True)
    assert "Souss Agro" in page and "Cluster" in page and f'data-meeting="{scheduled.id}"' in page
    assert 'data-status="scheduled">1<' in page and 'data-status="requested">1<' in page
    assert "Locked" in page
    filtered = client.get(_base(event), query_string={"q": "chen"}).get_data(as_text=True)
    assert f'data-meeting="{scheduled.id}"' not in filtered and "Chen" in filtered
    by_slot = client.get(_base(event), query_string={"slot": event_slots(event)[1].start.isoformat()})
    assert f'data-meeting="{scheduled.id}"' in by_slot.get_data(as_text=True)


def test_staff_and_other_partner_clusters_are_refused(client, auth, db):
    cluster_x = Organisation(name="Cluster X", kind=OrganisationKind.CLUSTER, country="FR", is_partner=True)
    cluster_y = Organisation(name="Cluster Y", kind=OrganisationKind.CLUSTER, country="ES", is_partner=True)
    db.session.add_all([cluster_x, cluster_y])
    db.session.commit()
    event = brokerage(organiser=cluster_x, starts_in=timedelta(minutes=-45))
    meeting = meeting_between(person_at(event), person_at(event), slot=0)
    base = _base(event)
    requests = [
        ("get", base, {}),
        ("get", f"{base}/new", {}),
        ("post", f"{base}/new", {"requester": meeting.requester_id, "counterpart": meeting.counterpart_id}),
        ("post", f"{base}/{meeting.id}", {"action": "unschedule"}),
        ("post", f"{base}/schedule", {"confirm": "y"}),
        ("post", f"{base}/mark", {"meeting_id": meeting.id, "mark": "completed"}),
        ("get", f"{base}.csv", {}),
    ]
    auth.login(Role.STAFF)
    for method, url, data in requests:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    auth.logout()
    other = auth.user(Role.ORGANISER)
    other.partner_cluster_id = cluster_y.id
    db.session.commit()
    auth.login(Role.ORGANISER)
    for method, url, data in requests:
        assert getattr(client, method)(url, data=data).status_code == 403, url
    db.session.expire_all()
    fresh = db.session.get(Meeting, meeting.id)
    assert fresh.status == MeetingStatus.SCHEDULED and fresh.slot_start is not None


def test_arrange_a_meeting(client, organiser, db):
    event = _event(organiser)
    a, b = person_at(event), person_at(event, kind=OrganisationKind.CLUSTER)
    start = event_slots(event)[2].start
    response = client.post(
        f"{_base(event)}/new",
        data={
            "requester": a.id,
            "counterpart": b.id,
            "slot": start.isoformat(),
            "locked": "y",
            "notes": "VIP",
        },
    )
    assert response.status_code == 302
    meeting = db.session.query(Meeting).one()
    assert (meeting.status, meeting.slot_start, meeting.locked) == (MeetingStatus.SCHEDULED, start, True)
    assert meeting.arranged_by_organiser and meeting.organiser_notes == "VIP"
    again = client.post(f"{_base(event)}/new", data={"requester": b.id, "counterpart": a.id})
    assert again.status_code == 200 and "already have a meeting" in again.get_data(as_text=True)
    same = client.post(f"{_base(event)}/new", data={"requester": a.id, "counterpart": a.id})
    assert "Choose two different participants" in same.get_data(as_text=True)
    assert db.session.query(Meeting).count() == 1


def test_arranging_past_the_event_cap_warns_unless_locked(client, organiser, db):
    event = _event(organiser, meeting_cap=1)
    amina, bruno, chen, dora = (person_at(event, name) for name in ("Amina", "Bruno", "Chen", "Dora"))
    meeting_between(amina, bruno)  # Amina is at the cap

    page = client.post(
        f"{_base(event)}/new", data={"requester": amina.id, "counterpart": chen.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The meeting is arranged." in page
    assert f"{amina.person.full_name} now has 2 agreed meetings, more than the event&#39;s cap of 1." in page
    assert chen.person.full_name + " now has" not in page  # Chen has one meeting: within the cap

    locked = client.post(
        f"{_base(event)}/new",
        data={
            "requester": dora.id,
            "counterpart": amina.id,
            "slot": event_slots(event)[0].start.isoformat(),
            "locked": "y",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The meeting is arranged." in locked and "more than the event" not in locked  # it keeps its place


def test_meeting_page_actions(client, organiser, db):
    event = _event(organiser)
    meeting = meeting_between(person_at(event), person_at(event))
    url = f"{_base(event)}/{meeting.id}"
    slots = event_slots(event)
    page = client.get(url).get_data(as_text=True)
    assert slots[3].start.isoformat() in page  # a free time is offered
    client.post(url, data={"action": "move", "slot": slots[3].start.isoformat(), "table": "2"})
    client.post(url, data={"action": "lock"})
    client.post(url, data={"action": "notes", "notes": "Needs an interpreter"})
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.slot_start, meeting.table_no, meeting.locked) == (slots[3].start, 2, True)
    assert meeting.organiser_notes == "Needs an interpreter"
    response = client.post(url, data={"action": "unschedule"}, follow_redirects=True)
    assert "no time any more" in response.get_data(as_text=True)
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.slot_start is None and meeting.status == MeetingStatus.ACCEPTED and not meeting.locked
    refused = client.post(url, data={"action": "lock"}, follow_redirects=True)
    assert "Only a meeting with a time can be locked" in refused.get_data(as_text=True)


def test_run_scheduler_needs_confirmation_and_shows_result(client, organiser, db):
    event = _event(organiser, slots=1, tables=5)
    a, b, c = person_at(event, "Amina"), person_at(event, "Bruno"), person_at(event, "Chen")
    placed, blocked = meeting_between(a, b), meeting_between(a, c)
    unconfirmed = client.post(f"{_base(event)}/schedule", data={})
    html = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 200 and 'id="run-scheduler" open>' in html  # the panel stays open
    assert FormPage(html).errors["confirm"] == ["Tick the box to confirm."]  # next to the box
    assert db.session.get(Meeting, placed.id).slot_start is None
    started = client.post(f"{_base(event)}/schedule", data={"confirm": "y"})  # a background job
    assert started.status_code == 302 and wait_for_scheduler_jobs(client.application, timeout=120)
    response = client.get(started.headers["Location"])
    page = response.get_data(as_text=True)
    db.session.expire_all()
    if db.session.get(Meeting, placed.id).status != MeetingStatus.SCHEDULED:
        placed, blocked = blocked, placed  # the solver may keep either of Amina's two meetings
    assert response.status_code == 200 and 'data-stat="placed">1<' in page
    assert f'data-unplaced="{blocked.id}" data-reason="no_common_free_slot"' in page
    assert "Amina" in page and "no time free of other meetings" in page
    assert db.session.get(Meeting, placed.id).status == MeetingStatus.SCHEDULED


def test_mark_single_bulk_and_revert(client, organiser, db):
    event = _event(organiser, starts_in=timedelta(minutes=-45), tables=3)
    one = meeting_between(person_at(event), person_at(event), slot=0)
    two = meeting_between(person_at(event), person_at(event), slot=0)
    future = meeting_between(person_at(event), person_at(event), slot=3)
    mark = f"{_base(event)}/mark"
    client.post(mark, data={"meeting_id": one.id, "mark": "no_show"})
    response = client.post(
        mark,
        data={"slot": event_slots(event)[0].start.isoformat(), "mark": "completed"},
        follow_redirects=True,
    )
    assert "1 meeting marked" in response.get_data(as_text=True)
    early = client.post(mark, data={"meeting_id": future.id, "mark": "completed"}, follow_redirects=True)
    assert "has not started yet" in early.get_data(as_text=True)
    db.session.expire_all()
    statuses = [db.session.get(Meeting, m.id).status for m in (one, two, future)]
    assert statuses == [MeetingStatus.NO_SHOW, MeetingStatus.COMPLETED, MeetingStatus.SCHEDULED]
    client.post(mark, data={"meeting_id": one.id, "mark": "revert"})
    db.session.expire_all()
    assert db.session.get(Meeting, one.id).status == MeetingStatus.SCHEDULED


def test_export_csv_and_xlsx_in_event_time_and_formula_safe(client, organiser, db):
    event = _event(organiser)
    a = person_at(event, "=HYPERLINK(evil)", organisation="@Evil Org")
    b = person_at(event, "Bruno", kind=OrganisationKind.CLUSTER, country="FR")
    meeting = meeting_between(a, b, slot=1, table=2)
    local = meeting.slot_start.astimezone(ZoneInfo(event.timezone))
    response = client.get(f"{_base(event)}.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["requester_name"].startswith("'=HYPERLINK")
    assert row["requester_organisation"] == "'@Evil Org"
    assert (row["slot_date"], row["slot_time"], row["table"]) == (f"{local:%Y-%m-%d}", f"{local:%H:%M}", "2")
    assert (row["counterpart_organisation_kind"], row["counterpart_country"]) == ("cluster", "FR")
    assert row["status"] == "scheduled"
    workbook = load_workbook(io.BytesIO(client.get(f"{_base(event)}.xlsx").get_data()))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["requester_name"].startswith("=HYPERLINK")
    assert sheet.cell(row=2, column=header.index("requester_name") + 1).data_type == "s"
    assert values["slot_time"] == f"{local:%H:%M}"
