"""Demo data for a laptop demo and for trying the software: ``flask --app move_events seed-demo``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from move_events.events.models import Event
from move_events.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds events.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Create the demo partnership: clusters, SMEs, people, staff logins and events. Safe to re-run."""
    from move_events.demo.history import DemoOutdated
    from move_events.demo.seed import DEMO_USERS, seed_demo

    if if_empty and db.session.scalar(select(func.count()).select_from(Event)):
        click.echo("The database already holds events: demo data not added.")
        _echo_try_links(_existing_try_links())
        return
    try:
        summary = seed_demo()
    except DemoOutdated as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Demo data ready: {summary.organisations} organisations, {summary.people} people, "
        f"{summary.events} events ({summary.created} new records)."
    )
    click.echo("Staff logins (demo only):")
    for email, password, role in DEMO_USERS:
        click.echo(f"  {role:<10} {email:<34} {password}")
    _echo_try_links(summary.try_links)


def _existing_try_links() -> list:
    """The demo SMEs' links when this database holds the demo (links are signed anew on every run)."""
    from move_events.demo.brokerage import try_links
    from move_events.demo.people import pools

    try:
        return try_links(pools())
    except LookupError:  # not the demo's directory
        return []


def _echo_try_links(links: list) -> None:
    if links:
        click.echo(
            "Try the marketplace of the upcoming brokerage event as one of these SMEs (personal links):"
        )
        for link in links:
            click.echo(f"  {link.name} ({link.organisation}): {link.url}")
