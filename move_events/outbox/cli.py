"""``flask --app move_events outbox send`` (one pass) and ``outbox worker`` (the production loop)."""

from __future__ import annotations

import time

import click
from sqlalchemy.exc import SQLAlchemyError

from move_events.extensions import db
from move_events.outbox import bp
from move_events.outbox.delivery import DeliveryReport, deliver_pending, delivery_configured


def _summary(report: DeliveryReport) -> str:
    return f"Sent {report.sent}, failed {report.failed}, still queued {report.remaining}."


@bp.cli.command("send")
@click.option("--limit", default=100, show_default=True, help="At most this many messages.")
def send_command(limit: int) -> None:
    """Deliver the due messages once and print the counts (cron-friendly)."""
    if not delivery_configured():
        click.echo("MAIL_SERVER is not configured: messages stay in the outbox (readable by admins).")
    click.echo(_summary(deliver_pending(limit=limit)))


@bp.cli.command("worker")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between passes.")
@click.option("--limit", default=100, show_default=True, help="At most this many messages a pass.")
@click.option("--max-loops", type=int, default=None, help="Stop after this many passes (tests).")
def worker_command(interval: float, limit: int, max_loops: int | None) -> None:
    """Deliver and retry for ever, a pass every INTERVAL seconds; stop with Ctrl-C.

    A pass that hit its limit is followed at once by another (a backlog drains quickly). A database
    error is printed and the next pass tries again: a restart of PostgreSQL must not stop the mail.
    """
    if not delivery_configured():
        click.echo("MAIL_SERVER is not configured: the worker will send nothing until it is.")
    click.echo(f"Outbox worker: a pass every {interval:g} s. Stop with Ctrl-C.")
    loops = 0
    try:
        while max_loops is None or loops < max_loops:
            loops += 1
            try:
                report = deliver_pending(limit=limit)
            except SQLAlchemyError as error:
                click.echo(f"Database error, retrying at the next pass: {error}", err=True)
                report = DeliveryReport(sent=0, failed=0, remaining=0)
            finally:
                db.session.remove()
            if report.sent or report.failed:
                click.echo(_summary(report))
            if report.sent + report.failed < limit and (max_loops is None or loops < max_loops):
                time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")
