"""Meetings commands: ``flask --app move_events meetings expire`` and ``meetings run-jobs``."""

from __future__ import annotations

import click

from move_events.background import worker_loop
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
@click.option("--max-loops", type=int, default=None, hidden=True, help="Stop after this many looks (tests).")
def run_jobs_command(once: bool, interval: float, max_loops: int | None) -> None:
    """Run queued scheduler jobs (for deployments with SCHEDULER_JOBS_IN_THREAD = False); stale running
    jobs are recovered first. Without --once it keeps looking until Ctrl-C, like ``badges run-jobs``."""
    from move_events.meetings.scheduler_jobs import run_queued_scheduler_jobs

    worker_loop(
        lambda: [
            f"Scheduler job {job.id} (event {job.event_id}): {job.status.value}"
            for job in run_queued_scheduler_jobs()
        ],
        title="Scheduler-job worker",
        once=once,
        interval=interval,
        max_loops=max_loops,
    )
