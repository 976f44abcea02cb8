from __future__ import annotations

import click

from move_events.auth import bp
from move_events.auth.models import Role
from move_events.auth.services import AuthError, create_user
from move_events.extensions import db


@bp.cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="The user's role.")
@click.option("--name", default="", help="Display name.")
@click.password_option(help="Asked for when not given (at least 10 characters).")
def create_user_command(email: str, role: str, name: str, password: str) -> None:
    """Create a staff login: flask --app move_events create-user EMAIL --role ROLE"""
    try:
        user = create_user(email=email, password=password, role=Role(role), name=name)
    except AuthError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")
