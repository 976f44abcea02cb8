"""Meetings commands: ``flask --app move_events meetings expire`` and ``meetings run-jobs``."""

from __future__ import annotations

import time

import click
from sqlalchemy.exc import SQLAlchemyError

from move_events.extensions import db
from move_events.meetings import bp
from move_events.meetings.requests import expire_requests


@bp.cli.command("expire")
def expire_command() -> None:
    """Mark unanswered meeting requests whose time is up as expired (pages also do it as they load;
    run this from cron so that lists and exports are right between visits)."""
    count = expire_requests()
    db.session.commit()
    click.echo(f"{count} meeting request(s) expired.")


@bp.cli.command("run-jobs")
@click.option("--once", is_flag=True, help="Run the jobs queued now, then exit (for cron).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between looks at the queue.")
@click.option("--limit", type=int, default=None, help="With --once: stop after this many jobs.")
@click.option("--max-loops", type=int, default=None, hidden=True, help="Stop after this many looks (tests).")
def run_jobs_command(once: bool, interval: float, limit: int | None, max_loops: int | None) -> None:
    """Run queued scheduler jobs (for deployments with SCHEDULER_JOBS_IN_THREAD = False); stale running
    jobs are recovered first. Without --once it keeps looking until Ctrl-C, like ``badges run-jobs``.

    A database error is printed and the next look tries again: a restart of PostgreSQL must not stop
    the worker. Several workers may run at once: each job is claimed by exactly one.
    """
    from move_events.meetings.scheduler_jobs import run_queued_scheduler_jobs

    if not once:
        click.echo(f"Scheduler-job worker: looking for jobs every {interval:g} s. Stop with Ctrl-C.")
    loops = 0
    try:
        while max_loops is None or loops < max_loops:
            loops += 1
            try:
                jobs = run_queued_scheduler_jobs(limit=limit if once else None)
                lines = [f"Scheduler job {job.id} (event {job.event_id}): {job.status.value}" for job in jobs]
            except SQLAlchemyError as error:
                click.echo(f"Database error, retrying at the next look: {error}", err=True)
                lines = []
            finally:
                db.session.remove()
            for line in lines:
                click.echo(line)
            if once:
                click.echo(f"{len(lines)} scheduler job(s) run.")
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")
