"""An organiser runs the scheduler while participants accept requests with a time they chose, all at
once through gunicorn: nobody is ever booked twice in one slot (the database's unique constraints),
and whoever lost the race is told so clearly, with nothing of their attempt kept."""

from __future__ import annotations

import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from move_events.auth.models import Role, User
from move_events.meetings.booking import event_slots
from move_events.meetings.models import Meeting, MeetingBooking, MeetingStatus
from tests.concurrency.conftest import logged_in
from tests.concurrency.live import Browser, Gunicorn, Response
from tests.conftest import clear_database
from tests.meetings.planning_support import brokerage, meeting_between, person_at, token_for

pytestmark = pytest.mark.postgres_only  # SQLite serialises writers on the file: no race to lose there

ALERT = re.compile(r'<div class="alert alert-(\w+)" role="alert">(.*?)</div>', re.S)
ACCEPTED = "Meeting accepted."
SLOT_LOST = (  # a participant's acceptance with a time, refused by a booking made meanwhile
    "One of the two already has a meeting at that time.",
    "That slot was taken a moment ago. Please choose another.",
    "Every table is taken at that time.",
)
RUN_LOST = "Nothing was changed: please run the scheduler again."
ROUNDS = 3


def alerts(page: str) -> list[tuple[str, str]]:
    return [(kind, html.unescape(" ".join(text.split()))) for kind, text in ALERT.findall(page)]


def setting(app: Flask, organiser: User):
    """Eight people with two slots: four accepted meetings in pairs and a ring of four more, for the
    scheduler; four requests across, which the counterparts accept for the first slot."""
    event = brokerage(slots=2, tables=8, created_by=organiser)
    a, b, c, d, e, f, g, h = (person_at(event, name) for name in "ABCDEFGH")
    for x, y in ((a, b), (c, d), (e, f), (g, h), (a, c), (b, d), (e, g), (f, h)):
        meeting_between(x, y)
    requests = [
        meeting_between(x, y, status=MeetingStatus.REQUESTED) for x, y in ((a, e), (b, f), (c, g), (d, h))
    ]
    tokens = {r.id: token_for(app, r.counterpart) for r in requests}
    return event, requests, tokens


def race(app: Flask, server: Gunicorn, db) -> tuple[tuple[str, Response], dict[int, Response]]:
    """One round: the organiser's run and the four acceptances posted at the same moment."""
    organiser, user = logged_in(server, db, Role.ORGANISER, "planner@example.org")
    event, requests, tokens = setting(app, user)
    first_slot = event_slots(event)[0].start.isoformat()
    schedule_url = f"/manage/events/{event.id}/meetings/schedule"
    organiser_csrf = organiser.get(f"/manage/events/{event.id}/meetings").csrf_token()
    people = {m.id: Browser(server.base_url) for m in requests}
    people_csrf = {mid: b.get(f"/r/{tokens[mid]}/meetings").csrf_token() for mid, b in people.items()}
    barrier = threading.Barrier(1 + len(requests), timeout=60)

    def run_scheduler() -> tuple[str, Response]:
        barrier.wait()
        answer = organiser.post_form(schedule_url, {"csrf_token": organiser_csrf, "confirm": "y"})
        assert answer.status == 302, answer.status  # to the background job's page
        job_page = urlsplit(answer.location).path
        for _ in range(6000):  # the job runs in a thread of the worker that took the POST
            status = organiser.get(f"{job_page}.json").json()["status"]
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        return ("ran" if status == "done" else "told"), organiser.get(job_page)

    def accept(meeting_id: int) -> Response:
        browser, token = people[meeting_id], tokens[meeting_id]
        form = {"csrf_token": people_csrf[meeting_id], f"m{meeting_id}-slot": first_slot}
        barrier.wait()
        answer = browser.post_form(f"/r/{token}/meetings/{meeting_id}/accept", form)
        assert answer.status == 302, answer.status
        return browser.get(answer.location)

    with ThreadPoolExecutor(max_workers=1 + len(requests)) as pool:
        run = pool.submit(run_scheduler)
        accepts = {m.id: pool.submit(accept, m.id) for m in requests}
        return run.result(), {mid: future.result() for mid, future in accepts.items()}


def test_scheduler_run_racing_participants_never_double_books(app: Flask, server: Gunicorn, db):
    lost = {"run": 0, "accept": 0}
    for round_no in range(ROUNDS):
        if round_no:
            clear_database()
        (run_outcome, run_page), accept_pages = race(app, server, db)

        # The organiser either sees the run's result or is told plainly to run it again.
        if run_outcome == "told":  # lost to a booking (or a deadlock with one): the job failed, said so
            assert RUN_LOST in html.unescape(run_page.body), server.log()
            lost["run"] += 1
        else:
            assert "time taken" in run_page.body, server.log()

        # Each participant is told what happened, and the database agrees with what they were told.
        db.session.expire_all()
        for meeting_id, page in accept_pages.items():
            said = alerts(page.body)
            meeting = db.session.get(Meeting, meeting_id)
            if ("success", ACCEPTED) in said:
                assert meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.ACCEPTED)
            else:
                assert any(kind == "danger" and text in SLOT_LOST for kind, text in said), said
                assert meeting.status == MeetingStatus.REQUESTED and meeting.slot_start is None
                lost["accept"] += 1

        # Nobody is in two places at once, and every scheduled meeting holds exactly its two seats.
        seats = db.session.execute(select(MeetingBooking.registration_id, MeetingBooking.slot_start)).all()
        assert len(seats) == len(set(seats))
        for meeting in db.session.scalars(select(Meeting).where(Meeting.status == MeetingStatus.SCHEDULED)):
            bookings = db.session.execute(
                select(MeetingBooking.registration_id, MeetingBooking.slot_start).where(
                    MeetingBooking.meeting_id == meeting.id
                )
            ).all()
            assert set(bookings) == {
                (meeting.requester_id, meeting.slot_start),
                (meeting.counterpart_id, meeting.slot_start),
            }
    print(f"\nlosers over {ROUNDS} rounds: {lost}")
