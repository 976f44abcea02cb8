"""Badge PDF benchmark: one plain WeasyPrint document vs. the project's way.

    .venv/bin/python -m benchmarks.badges --count 1000

Variants, each run in a fresh Python process so that its peak memory (maxrss) is its own:

- ``plain``: every badge in one WeasyPrint document, QR codes as SVG (qrcode's SvgPathImage);
- ``parallel``: the project's PNG QR codes, chunks of 50 badges rendered to PDF in worker processes
  (``ProcessPoolExecutor``, ``--workers``, default 2), then merged with pypdfium2 (test extra);
- ``job``: what the background print job did before it had worker processes: PNG QR codes, chunks
  of 50 rendered one after the other in one process, pages joined with ``Document.copy``;
- ``runner``: the real job runner (``run_print_job`` in ``move_events/badges/jobs.py``) on a SQLite
  database of 1,000 made-up registrations: chunks of 52 (whole A4 sheets) rendered in
  ``--workers`` processes ("forkserver"), progress committed per chunk, merged with pypdf, badges
  marked printed. Its time includes starting the workers and loading registrations from the database.

Except for ``runner``, badges are built from made-up people (no database): the time is the HTML
rendering and layout. Peak memory is the process's maxrss, plus the largest worker's for ``parallel``
(the runner's workers are children of the forkserver, not of the benchmark: not measured).
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

CHUNK = 50
VARIANTS = ("plain", "parallel", "job", "runner")


def _app():
    from move_events import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _svg_uri(token: str) -> str:
    from qrcode.image.svg import SvgPathImage

    from move_events.badges.qr import qr_code

    data = qr_code(token).make_image(image_factory=SvgPathImage).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def _badges(count: int, *, svg: bool):
    from move_events.badges.pdf import ROLE_COLOURS, Badge, size_class
    from move_events.badges.qr import qr_data_uri
    from move_events.registration.models import RegistrationRole

    roles = list(RegistrationRole)
    names = [("Salma", "Tazi"), ("Иван", "Петров"), ("محمد", "العلوي"), ("João", "Conceição dos Santos")]
    badges = []
    for n in range(count):
        given, family = names[n % len(names)]
        role = roles[n % len(roles)]
        token = f"ME1{n:023d}"
        organisation = f"Atlas Solaire Cluster {n}"
        badges.append(
            Badge(
                role=role.value,
                role_label=role.value.title(),
                colour=ROLE_COLOURS[role],
                given_name=given,
                family_name=f"{family} {n}",
                name_size=size_class(family, long=14, very_long=22),
                organisation=organisation,
                organisation_size=size_class(organisation, long=40, very_long=70),
                country="Morocco",
                event_title="MOVE Brokerage Days Casablanca",
                event_dates="4–5 Jan 2027",
                token=token,
                qr=_svg_uri(token) if svg else qr_data_uri(token),
            )
        )
    return badges


def _html(badges, layout: str) -> str:
    from flask import render_template

    from move_events.badges.pdf import SHEETS, BadgeLayout, _pages, direction

    sheet = SHEETS[BadgeLayout(layout)]
    return render_template(
        "pdf/badges.html",
        layout=BadgeLayout(layout),
        sheet=sheet,
        pages=_pages(badges, len(sheet.slots)),
        lang="en",
        direction=direction,
    )


def _write_pdf(args: tuple[str, str]) -> bytes:
    import weasyprint

    html, base_url = args
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()


def _merge(pdfs: list[bytes]) -> bytes:
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    for data in pdfs:
        merged.import_pages(pdfium.PdfDocument(data))
    buffer = io.BytesIO()
    merged.save(buffer)
    return buffer.getvalue()


def _page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(data))


def _seed(count: int) -> int:
    """An event with ``count`` confirmed registrations (Latin, Cyrillic and Arabic names); its id."""
    from datetime import UTC, datetime, timedelta

    from move_events.directory.models import Organisation, OrganisationKind, Person
    from move_events.events.models import EventCategory, EventFormat, EventSubtype
    from move_events.events.services import EventDetails, create_event
    from move_events.extensions import db
    from move_events.registration.models import Registration, RegistrationStatus

    starts = datetime(2027, 1, 4, 8, tzinfo=UTC)
    event = create_event(
        details=EventDetails(
            title="MOVE Brokerage Days Casablanca",
            category=EventCategory.PREPARATORY,
            subtype=EventSubtype.WORKSHOP,
            format=EventFormat.ONSITE,
            starts_at=starts,
            ends_at=starts + timedelta(days=1, hours=9),
            timezone="Africa/Casablanca",
            target_country="MA",
            venue="Technopark",
            city="Casablanca",
            country="MA",
            capacity=count,
        ),
        created_by=None,
    )
    names = [("Salma", "Tazi"), ("Иван", "Петров"), ("محمد", "العلوي"), ("João", "Conceição dos Santos")]
    for n in range(count):
        given, family = names[n % len(names)]
        organisation = Organisation(
            name=f"Atlas Solaire Cluster {n}", kind=OrganisationKind.SME, country="MA"
        )
        person = Person(
            given_name=given,
            family_name=f"{family} {n}",
            email=f"p{n}@example.org",
            organisation=organisation,
        )
        db.session.add(Registration(event=event, person=person, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    return event.id


def _run_job(count: int, layout: str, workers: int) -> tuple[bytes, float]:
    """The real job runner on a throw-away SQLite database; returns the PDF and the job's seconds."""
    import tempfile

    from move_events import create_app
    from move_events.badges.jobs import run_print_job, start_print_job
    from move_events.events.models import Event
    from move_events.extensions import db

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                "PRINT_JOB_PROCESSES": workers,
                "BADGE_JOBS_IN_THREAD": False,
            }
        )
        with app.app_context():
            db.create_all()
            event = db.session.get(Event, _seed(count))
            with app.test_request_context():
                job = start_print_job(
                    event=event, user=None, layout=layout, statuses=["confirmed"], only_unprinted=False
                )
                db.session.commit()
            started = time.perf_counter()
            job = run_print_job(job.id)
            seconds = time.perf_counter() - started
            assert job.error == "", job.error
            pdf = job.pdf
            db.session.remove()
            db.engine.dispose()
    return pdf, seconds


def run_variant(variant: str, count: int, layout: str, workers: int) -> dict:
    import weasyprint

    if variant == "runner":
        pdf, seconds = _run_job(count, layout, workers)
        return _result(variant, seconds, pdf)
    app = _app()
    with app.test_request_context():
        started = time.perf_counter()
        if variant == "plain":
            html = _html(_badges(count, svg=True), layout)
            pdf = weasyprint.HTML(string=html, base_url=app.static_folder).write_pdf()
        elif variant == "parallel":
            badges = _badges(count, svg=False)
            chunks = [
                (_html(badges[i : i + CHUNK], layout), app.static_folder) for i in range(0, count, CHUNK)
            ]
            with ProcessPoolExecutor(max_workers=workers) as pool:
                pdf = _merge(list(pool.map(_write_pdf, chunks)))
        else:
            badges = _badges(count, svg=False)
            documents = [
                weasyprint.HTML(
                    string=_html(badges[i : i + CHUNK], layout), base_url=app.static_folder
                ).render()
                for i in range(0, count, CHUNK)
            ]
            pdf = documents[0].copy([page for d in documents for page in d.pages]).write_pdf()
        seconds = time.perf_counter() - started
    return _result(variant, seconds, pdf)


def _result(variant: str, seconds: float, pdf: bytes) -> dict:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "variant": variant,
        "seconds": round(seconds, 1),
        "pages": _page_count(pdf),
        "pdf_mb": round(len(pdf) / 1e6, 1),
        "peak_mb": round(own),
        "worker_peak_mb": round(workers_peak) if variant == "parallel" else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--layout", default="a6")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # one variant, in this process
    args = parser.parse_args(argv)
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.count, args.layout, args.workers)))
        return
    python = platform.python_version()
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{args.count} badges, layout {args.layout}, {args.workers} workers; Python {python}; load {load}")
    results = []
    for variant in args.variants.split(","):
        command = [sys.executable, "-m", "benchmarks.badges", "--variant", variant]
        command += ["--count", str(args.count), "--layout", args.layout, "--workers", str(args.workers)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    print("| variant | time | pages | PDF | peak memory |")
    print("|---|---:|---:|---:|---:|")
    plain = next((r["seconds"] for r in results if r["variant"] == "plain"), None)
    for r in results:
        speed = f" ({plain / r['seconds']:.1f}× plain)" if plain and r["variant"] != "plain" else ""
        memory = f"{r['peak_mb']} MB" + (
            f" + workers ≤ {r['worker_peak_mb']} MB" if r["worker_peak_mb"] else ""
        )
        print(f"| {r['variant']} | {r['seconds']} s{speed} | {r['pages']} | {r['pdf_mb']} MB | {memory} |")


if __name__ == "__main__":
    main()
