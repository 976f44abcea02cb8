"""Meetings commands: ``flask --app move_events meetings expire`` and ``meetings run-jobs``."""

from __future__ import annotations

import click

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
@click.option("--limit", type=int, default=None, help="Stop after this many jobs.")
def run_jobs_command(limit: int | None) -> None:
    """Run queued scheduler jobs now (for deployments with SCHEDULER_JOBS_IN_THREAD = False, from a
    worker or cron); stale running jobs are recovered first."""
    from move_events.meetings.scheduler_jobs import run_queued_scheduler_jobs

    jobs = run_queued_scheduler_jobs(limit=limit)
    for job in jobs:
        click.echo(f"Scheduler job {job.id} (event {job.event_id}): {job.status.value}")
    click.echo(f"{len(jobs)} scheduler job(s) run.")
