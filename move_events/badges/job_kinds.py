"""What a background PDF job renders, by kind, and how its chunks are rendered and merged.

Each kind (``JobKind``) has a ``Renderer``: which registrations the job covers (ids, in the order the
PDF must have), how many go in a chunk, how one chunk of registrations becomes a PDF, and what happens
when the job is done (badges are marked printed). Registering a renderer is all a new kind needs. A kind
may cover other rows than registrations: the table plan's ids are meetings (``load`` turns a chunk's ids
into what ``render_chunk`` takes) and its chunks are whole slots (``split``), so that no slot's page is
cut in two.

Chunks are rendered in worker processes (``PRINT_JOB_PROCESSES``, default min(2, CPU count); 1 renders
in the job's own process). Workers are started with "forkserver" (or "spawn") — never "fork": the web
server that launches jobs runs threads, and a forked copy of a threaded process can deadlock. Each
worker builds the app once from the parent's configuration and loads its chunk's registrations from
the database itself (ORM objects do not travel between processes); the parent merges the chunk PDFs
with pypdf in the job's order, whatever order they finished in.
"""

from __future__ import annotations

import io
import math
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader, PdfWriter
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import selectinload

from move_events.badges.models import BadgePrintJob, JobKind
from move_events.badges.pdf import SHEETS, BadgeLayout, render_badges
from move_events.db_types import utcnow
from move_events.directory.models import Person
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings.models import Meeting, MeetingStatus
from move_events.registration.models import Registration

CHUNK_BADGES = 50  # badges per rendered chunk: progress moves every few seconds
CHUNK_AGENDAS = 25  # agendas per chunk (an agenda may run to several pages)
CHUNK_MEETINGS = 150  # table-plan meetings per chunk (about 30 ms each), in whole slots
_UPDATE_BATCH = 500  # ids per UPDATE (SQLite allows a limited number of bound parameters)
SCHEDULED = (MeetingStatus.SCHEDULED, MeetingStatus.COMPLETED, MeetingStatus.NO_SHOW)


class PrintJobError(Exception):
    """A job that cannot start or cannot finish; the message is shown to the organiser."""


@dataclass(frozen=True)
class Renderer:
    """How a kind of job turns registrations into one PDF (see the module docstring)."""

    select_ids: Callable[[BadgePrintJob], list[int]]
    chunk_size: Callable[[BadgePrintJob], int]
    render_chunk: Callable[[Sequence, BadgePrintJob | ChunkJob], bytes]
    finish: Callable[[BadgePrintJob, list[int]], None] = lambda job, ids: None
    load: Callable[[Sequence[int]], Sequence] | None = None  # a chunk's ids -> rows; default: registrations
    chunks: Callable[[BadgePrintJob, list[int]], list[list[int]]] | None = None  # default: chunk_size each

    def split(self, job: BadgePrintJob, ids: list[int]) -> list[list[int]]:
        """The job's ids in chunks, in the job's order."""
        if self.chunks is not None:
            return self.chunks(job, ids)
        size = self.chunk_size(job)
        return [ids[start : start + size] for start in range(0, len(ids), size)]

    def rows(self, ids: Sequence[int]) -> Sequence:
        return self.load(ids) if self.load is not None else load_registrations(ids)


@dataclass(frozen=True)
class ChunkJob:
    """What a worker process needs to know of the job (a plain, picklable copy)."""

    id: int
    kind: str
    layout: str
    locale: str
    event_id: int


RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Renderer:
    try:
        return RENDERERS[JobKind(kind)]
    except (KeyError, ValueError) as error:
        raise PrintJobError(_l("This kind of job cannot be rendered here.")) from error


# --- badges ------------------------------------------------------------------------------------------


def badge_query(event_id: int, statuses: Sequence[str], *, only_unprinted: bool):
    """Registrations whose badges a job prints, in welcome-desk order (family name, given name)."""
    query = (
        select(Registration)
        .join(Registration.person)
        .where(Registration.event_id == event_id, Registration.status.in_(list(statuses)))
        .order_by(Person.family_name, Person.given_name, Registration.id)
    )
    if only_unprinted:
        query = query.where(Registration.badge_printed_at.is_(None))
    return query


def badge_chunk_size(job: BadgePrintJob) -> int:
    """About CHUNK_BADGES, rounded up to whole sheets so that no page but the last is half empty."""
    per_page = len(SHEETS[BadgeLayout(job.layout)].slots)
    return per_page * math.ceil(CHUNK_BADGES / per_page)


def _badge_ids(job: BadgePrintJob) -> list[int]:
    query = badge_query(job.event_id, job.statuses, only_unprinted=job.only_unprinted)
    return list(db.session.scalars(query.with_only_columns(Registration.id)))


def _render_badge_chunk(registrations: Sequence[Registration], job: BadgePrintJob | ChunkJob) -> bytes:
    return render_badges(registrations, layout=BadgeLayout(job.layout))


def _mark_printed(job: BadgePrintJob, ids: list[int]) -> None:
    """Badges count as printed once their PDF exists (``only_unprinted`` then skips them)."""
    printed_at = utcnow()
    for start in range(0, len(ids), _UPDATE_BATCH):
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(ids[start : start + _UPDATE_BATCH]))
            .values(badge_printed_at=printed_at)
            .execution_options(synchronize_session=False)
        )


# --- agendas -----------------------------------------------------------------------------------------


def agenda_query(event_id: int):
    """The event's registrations with at least one scheduled meeting (either side), by name."""
    has_meeting = exists().where(
        Meeting.event_id == event_id,
        Meeting.status.in_(SCHEDULED),
        Meeting.slot_start.is_not(None),
        or_(Meeting.requester_id == Registration.id, Meeting.counterpart_id == Registration.id),
    )
    return (
        select(Registration)
        .join(Registration.person)
        .where(Registration.event_id == event_id, has_meeting)
        .order_by(Person.family_name, Person.given_name, Registration.id)
    )


def _agenda_ids(job: BadgePrintJob) -> list[int]:
    return list(db.session.scalars(agenda_query(job.event_id).with_only_columns(Registration.id)))


def _render_agenda_chunk(registrations: Sequence[Registration], job: BadgePrintJob | ChunkJob) -> bytes:
    from move_events.meetings.agendas import agenda_pdf  # the meetings package's; imported when used

    return agenda_pdf(registrations)


# --- the table plan ---------------------------------------------------------------------------------


def table_plan_ids_query(event_id: int):
    """The ids (and slots) of the meetings on the event's table plan, in the plan's order."""
    from move_events.meetings.agendas import table_plan_query  # the meetings package's

    return table_plan_query(event_id).with_only_columns(Meeting.id, Meeting.slot_start)


def _table_plan_ids(job: BadgePrintJob) -> list[int]:
    return [row.id for row in db.session.execute(table_plan_ids_query(job.event_id))]


def _table_plan_chunks(job: BadgePrintJob, ids: list[int]) -> list[list[int]]:
    """Whole slots, packed into chunks of about CHUNK_MEETINGS meetings (a big slot is a chunk alone):
    a slot cut in two would print as two pages, each with only part of its tables."""
    wanted = set(ids)
    slots: dict[object, list[int]] = {}
    for row in db.session.execute(table_plan_ids_query(job.event_id)):
        if row.id in wanted:
            slots.setdefault(row.slot_start, []).append(row.id)
    chunks: list[list[int]] = []
    for meeting_ids in slots.values():
        if chunks and len(chunks[-1]) + len(meeting_ids) <= CHUNK_MEETINGS:
            chunks[-1].extend(meeting_ids)
        else:
            chunks.append(list(meeting_ids))
    return chunks


def _render_table_plan_chunk(meeting_ids: Sequence[int], job: BadgePrintJob | ChunkJob) -> bytes:
    from move_events.meetings.agendas import table_plan_pdf  # the meetings package's; imported when used

    event = db.session.get(Event, job.event_id)
    assert event is not None, "a job is deleted with its event"
    return table_plan_pdf(event, meeting_ids)


RENDERERS[JobKind.BADGES] = Renderer(
    select_ids=_badge_ids, chunk_size=badge_chunk_size, render_chunk=_render_badge_chunk, finish=_mark_printed
)
RENDERERS[JobKind.AGENDAS] = Renderer(
    select_ids=_agenda_ids, chunk_size=lambda job: CHUNK_AGENDAS, render_chunk=_render_agenda_chunk
)
RENDERERS[JobKind.TABLE_PLAN] = Renderer(
    select_ids=_table_plan_ids,
    chunk_size=lambda job: CHUNK_MEETINGS,
    render_chunk=_render_table_plan_chunk,
    load=list,
    chunks=_table_plan_chunks,
)


# --- rendering chunks --------------------------------------------------------------------------------


def load_registrations(ids: Sequence[int]) -> list[Registration]:
    """The registrations of ``ids`` in that order, with what badges and agendas show preloaded."""
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.id.in_(list(ids)))
        .options(selectinload(Registration.person).selectinload(Person.organisation))
    ).all()
    by_id = {registration.id: registration for registration in rows}
    return [by_id[id_] for id_ in ids if id_ in by_id]


def render_chunk(job: BadgePrintJob | ChunkJob, ids: Sequence[int]) -> bytes:
    """One chunk's PDF, in the current application context and the job's locale."""
    g.print_job = job.id  # flask-babel ignores force_locale while g is empty
    with force_locale(job.locale):
        kind = renderer(job.kind)
        pdf = kind.render_chunk(kind.rows(ids), job)
    db.session.expire_all()  # the chunk's registrations are not needed any more
    return pdf


def merge_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """The chunks' pages, one after the other, as one PDF (pypdf)."""
    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(io.BytesIO(data)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def process_count(app: Flask) -> int:
    """``PRINT_JOB_PROCESSES``, else min(2, CPU count); 1 for an in-memory SQLite database, which other
    processes cannot see."""
    if str(app.config.get("SQLALCHEMY_DATABASE_URI")) in ("sqlite://", "sqlite:///:memory:"):
        return 1
    configured = app.config.get("PRINT_JOB_PROCESSES")
    return max(1, int(configured)) if configured else min(2, os.cpu_count() or 1)


def render_chunks(job: BadgePrintJob, chunks: list[list[int]]) -> Iterator[tuple[int, bytes]]:
    """Yield (chunk index, PDF) as chunks finish: in this process, or in worker processes."""
    app = current_app._get_current_object()
    processes = min(process_count(app), len(chunks))
    if processes <= 1:
        for index, ids in enumerate(chunks):
            yield index, render_chunk(job, ids)
        return
    plain = ChunkJob(
        id=job.id, kind=job.kind.value, layout=job.layout, locale=job.locale, event_id=job.event_id
    )
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])  # workers fork with the app's modules imported
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_start_worker, initargs=(_worker_config(app),)
    ) as pool:
        pending = {pool.submit(_render_in_worker, plain, ids): index for index, ids in enumerate(chunks)}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


def _worker_config(app: Flask) -> dict:
    """The parent's configuration, what of it can be pickled (a worker builds its own app from it)."""
    config = {}
    for key, value in app.config.items():
        try:
            pickle.dumps(value)
        except Exception:  # objects that cannot travel stay behind: workers need none of them
            continue
        config[key] = value
    config["BADGE_JOBS_IN_THREAD"] = False
    config["OUTBOX_DELIVER_AFTER_REQUEST"] = False
    return config


_worker_app: Flask | None = None


def _start_worker(config: dict) -> None:
    global _worker_app
    from move_events import create_app

    _worker_app = create_app(config)


def _render_in_worker(job: ChunkJob, ids: list[int]) -> bytes:
    assert _worker_app is not None, "the worker's initializer builds the app"
    with _worker_app.app_context():
        try:
            return render_chunk(job, ids)
        finally:
            db.session.remove()
