"""`partner-center token`: a bearer token for a demo user."""

from __future__ import annotations

import os

import typer

from partner_center.config import get_settings
from partner_center.core.auth import issue_token
from partner_center.local import demo_data

TOKEN_ENV = "PARTNER_CENTER_TOKEN"


def token_for(login: str) -> str:
    """Signed with the local development secret (or PC_JWT_SECRET when set)."""
    try:
        principal = demo_data.principal(login)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from exc
    return issue_token(principal, get_settings())


def resolve_token(user: str | None) -> str:
    if user:
        return token_for(user)
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise typer.BadParameter(f"pass --user LOGIN or set {TOKEN_ENV}")
    return token


def token(
    user: str = typer.Option(..., "--user", "-u", help="A demo login, e.g. sp-admin."),
) -> None:
    """Print a bearer token for a demo user."""
    typer.echo(token_for(user))
