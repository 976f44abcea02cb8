"""Demo data (filled in below)."""

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo data; safe to re-run."""
    click.echo("Nothing to seed yet.")
