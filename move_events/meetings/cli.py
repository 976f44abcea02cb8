"""Meetings commands: ``flask --app move_events meetings expire``."""

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
