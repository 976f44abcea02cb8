"""The e-mails of a scheduler run: one per participant whose meetings were placed, moved or unplaced,
in their language, written with the run; nothing for anyone else, nothing for a run that changes
nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from move_events.auth.models import Role
from move_events.extensions import db as _db
from move_events.meetings.booking import event_slots
from move_events.meetings.models import Meeting, MeetingStatus, SchedulerJobStatus, Unavailability
from move_events.meetings.scheduler_jobs import run_scheduler_job, start_scheduler_job
from move_events.outbox.models import OutboxMessage
from tests.meetings.planning_support import brokerage, meeting_between, person_at


@pytest.fixture
def organiser(auth):
    return auth.user(Role.ORGANISER)


def _run(event, organiser) -> None:
    job, _ = start_scheduler_job(event=event, user=organiser)
    _db.session.commit()
    assert run_scheduler_job(job.id).status == SchedulerJobStatus.DONE


def _mails() -> dict[str, list[OutboxMessage]]:
    by_address: dict[str, list[OutboxMessage]] = {}
    for message in _db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "meeting_schedule_changed")
    ):
        by_address.setdefault(message.to_address, []).append(message)
    return by_address


def _unavailable(registration, start) -> None:
    _db.session.add(Unavailability(registration_id=registration.id, slot_start=start))
    _db.session.commit()


def _when(meeting: Meeting, event, language: str) -> str:
    local = meeting.slot_start.astimezone(ZoneInfo(event.timezone))
    return format_datetime(local, "short", locale=language)


def test_placed_and_moved_meetings_mail_each_side_once_and_a_second_run_mails_nobody(db, organiser):
    event = brokerage(created_by=organiser, slots=3, tables=2)
    amina = person_at(event, "Amina", language="fr")
    bruno, chen, dora = person_at(event, "Bruno"), person_at(event, "Chen"), person_at(event, "Dora")
    eva, farid = person_at(event, "Eva"), person_at(event, "Farid")
    new_one, new_two = meeting_between(amina, bruno), meeting_between(amina, chen)
    moving = meeting_between(chen, dora, slot=0, table=1)
    _unavailable(dora, event_slots(event)[0].start)  # its place is no longer possible: it must move
    steady = meeting_between(eva, farid, slot=2, table=2, locked=True)
    old_place = (moving.slot_start, moving.table_no)

    _run(event, organiser)

    db.session.expire_all()
    moving = db.session.get(Meeting, moving.id)
    assert moving.status == MeetingStatus.SCHEDULED and (moving.slot_start, moving.table_no) != old_place
    mails = _mails()
    people = (amina, bruno, chen, dora)
    assert sorted(mails) == sorted(r.person.email for r in people)  # not Eva nor Farid
    assert all(len(sent) == 1 for sent in mails.values())  # one each, though Amina and Chen have two
    (to_amina,) = mails[amina.person.email]
    assert to_amina.language == "fr" and mails[bruno.person.email][0].language == "en"
    for meeting in (db.session.get(Meeting, new_one.id), db.session.get(Meeting, new_two.id)):
        assert _when(meeting, event, "fr") in to_amina.body_text  # her dates, written the French way
    assert "Bruno" in to_amina.body_text and "Chen" in to_amina.body_text
    (to_chen,) = mails[chen.person.email]
    assert _when(moving, event, "en") in to_chen.body_text and "Dora" in to_chen.body_text
    assert "Eva" not in to_chen.body_text and steady.id  # only his own agenda
    assert "/agenda" in to_chen.body_text  # the link to his personal agenda page

    count = db.session.query(OutboxMessage).count()
    _run(event, organiser)  # nothing changes: nobody hears anything
    assert db.session.query(OutboxMessage).count() == count


def test_a_meeting_that_lost_its_time_is_told_to_both_sides(db, organiser):
    event = brokerage(created_by=organiser, slots=1, tables=2)
    amina, bruno = person_at(event, "Amina"), person_at(event, "Bruno")
    meeting = meeting_between(amina, bruno, slot=0, table=1)
    _unavailable(bruno, event_slots(event)[0].start)

    _run(event, organiser)

    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).slot_start is None
    mails = _mails()
    assert sorted(mails) == sorted([amina.person.email, bruno.person.email])
    (to_amina,) = mails[amina.person.email]
    assert "no time any more" in to_amina.body_text and "Bruno" in to_amina.body_text
    assert "You have no meeting with a time" in to_amina.body_text


def test_a_run_that_is_not_saved_mails_nobody(db, organiser):
    event = brokerage(created_by=organiser)
    meeting_between(person_at(event), person_at(event))
    event.has_meetings = False  # the run fails: no slots
    db.session.commit()
    job, _ = start_scheduler_job(event=event, user=organiser)
    db.session.commit()
    assert run_scheduler_job(job.id).status == SchedulerJobStatus.FAILED
    assert _mails() == {}
