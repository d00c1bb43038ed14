"""`partner-center incentives expire`: run the scheduled incentive expiry locally."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import typer

from partner_center.cli.target import AWS_HELP, bootstrap_for

app = typer.Typer(help="Incentives: run their scheduled work by hand.", no_args_is_help=True)


@app.command("expire")
def expire(
    today: str | None = typer.Option(
        None, help="The Beijing date to run as, YYYY-MM-DD (default: today in Beijing)."
    ),
    partner: list[str] | None = typer.Option(
        None, "--partner", help="Only this partner ID (repeatable); default every partner."
    ),
    aws: str | None = typer.Option(None, "--aws", help=AWS_HELP),
) -> None:
    """Expire the incentives whose validity ended (R20), as the daily function does."""
    day = None
    if today is not None:
        try:
            day = date.fromisoformat(today)
        except ValueError as exc:
            raise typer.BadParameter("--today must be YYYY-MM-DD") from exc
    bootstrap_for(aws)
    from partner_center.incentives.expiry import run_expiry

    typer.echo(json.dumps(asdict(run_expiry(day, partners=set(partner) if partner else None))))
