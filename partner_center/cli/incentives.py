"""`partner-center incentives expire`: run the scheduled incentive expiry locally."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import date

import typer

app = typer.Typer(help="Incentives: run their scheduled work by hand.", no_args_is_help=True)


def _point_at(aws: str) -> None:
    """Use the tables of the stack deployed in the embedded AWS at `aws` (what
    `partner-center dev` prints as AWS)."""
    from partner_center.local.aws_server import LOCAL_CREDENTIALS
    from partner_center.local.environment import REGION
    from partner_center.local.infra import deploy_stack, settings_env

    os.environ.update(LOCAL_CREDENTIALS)
    os.environ.update(settings_env(deploy_stack(aws, REGION), aws, REGION))


@app.command("expire")
def expire(
    today: str | None = typer.Option(
        None, help="The Beijing date to run as, YYYY-MM-DD (default: today in Beijing)."
    ),
    partner: list[str] | None = typer.Option(
        None, "--partner", help="Only this partner ID (repeatable); default every partner."
    ),
    aws: str | None = typer.Option(
        None,
        "--aws",
        help="The embedded AWS endpoint of `partner-center dev`; without it, "
        "the PC_* and AWS_* environment say where the tables are.",
    ),
) -> None:
    """Expire the incentives whose validity ended (R20), as the daily function does."""
    day = None
    if today is not None:
        try:
            day = date.fromisoformat(today)
        except ValueError as exc:
            raise typer.BadParameter("--today must be YYYY-MM-DD") from exc
    if aws:
        _point_at(aws)
    from partner_center.incentives.expiry import run_expiry
    from partner_center.runtime import bootstrap

    bootstrap(reload=bool(aws))
    typer.echo(json.dumps(asdict(run_expiry(day, partners=set(partner) if partner else None))))
