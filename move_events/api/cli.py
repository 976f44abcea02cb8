"""API token commands: ``flask --app move_events api create-token EMAIL --scope checkin --name "Door 1"``."""

from __future__ import annotations

import click

from move_events.api import bp
from move_events.api.models import ApiScope, ApiToken
from move_events.api.tokens import ApiTokenError, create_api_token, revoke_api_token
from move_events.auth.services import find_user
from move_events.extensions import db


@bp.cli.command("create-token")
@click.argument("email")
@click.option(
    "--scope", type=click.Choice([s.value for s in ApiScope]), required=True, help="What it may do."
)
@click.option("--name", required=True, help="Where it is used, e.g. 'Door 1'.")
def create_token_command(email: str, scope: str, name: str) -> None:
    """Create an API token for the staff user EMAIL; prints the secret, which is not shown again."""
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No user {email}.")
    try:
        token, secret = create_api_token(user=user, name=name, scope=ApiScope(scope))
    except ApiTokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Created token {token.id} ({token.scope}) for {user.email}. Keep this secret, it is shown once:"
    )
    click.echo(secret)


@bp.cli.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token_command(token_id: int) -> None:
    """Revoke the API token TOKEN_ID (see the tokens page or list-tokens)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    try:
        revoke_api_token(token=token)
    except ApiTokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Revoked token {token.id} ({token.name}).")


@bp.cli.command("list-tokens")
def list_tokens_command() -> None:
    """List every API token: id, user, scope, name, state."""
    for token in db.session.scalars(db.select(ApiToken).order_by(ApiToken.id)):
        state = "revoked" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.user.email}\t{token.scope}\t{token.prefix}…\t{state}\t{token.name}")
