"""``flask --app move_events badges run-jobs``: the print-job worker for production.

With ``BADGE_JOBS_IN_THREAD = False`` the web server only queues jobs (badges, agendas); this command,
run as a service of its own, renders them (each in ``PRINT_JOB_PROCESSES`` worker processes), and
re-queues or fails jobs left "running" by a process that died. ``--once`` runs what is queued now and
exits (cron-friendly).
"""

from __future__ import annotations

import click

from move_events.background import worker_loop
from move_events.badges import bp
from move_events.badges.jobs import run_queued_jobs
from move_events.badges.models import BadgePrintJob, PrintJobStatus


def _line(job: BadgePrintJob) -> str:
    if job.status == PrintJobStatus.FAILED:
        return f"Job {job.id} ({job.kind.value}, event {job.event_id}) failed: {job.error}"
    return f"Job {job.id} ({job.kind.value}, event {job.event_id}) done: {job.done} of {job.total}."


@bp.cli.command("run-jobs")
@click.option("--once", is_flag=True, help="Run the jobs queued now, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between looks at the queue.")
@click.option("--max-loops", type=int, default=None, hidden=True, help="Stop after this many looks (tests).")
def run_jobs_command(once: bool, interval: float, max_loops: int | None) -> None:
    """Render queued print jobs (badges, agendas); recover jobs whose process died. Stop with Ctrl-C.

    A database error is printed and the next look tries again: a restart of PostgreSQL must not stop
    the worker. Several workers may run at once: each job is claimed by exactly one.
    """
    worker_loop(
        lambda: [_line(job) for job in run_queued_jobs()],
        title="Print-job worker",
        once=once,
        interval=interval,
        max_loops=max_loops,
    )
