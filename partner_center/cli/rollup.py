"""`partner-center rollup`: run the daily consumption roll-up (the `consumptionRollup`
schedule) by hand, against the local embedded AWS or the configured tables."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console

from partner_center.cli.target import AWS_HELP, bootstrap_for
from partner_center.core.errors import BadInput

console = Console(stderr=True)


def rollup(
    day: str | None = typer.Option(None, "--date", help="One Beijing day, YYYY-MM-DD."),
    date_from: str | None = typer.Option(None, "--from", help="First Beijing day."),
    date_to: str | None = typer.Option(None, "--to", help="Last Beijing day."),
    partner: list[str] = typer.Option(
        [], "--partner", help="A partner ID (repeatable); default: every partner."
    ),
    aws: str | None = typer.Option(None, "--aws", "--aws-endpoint", help=AWS_HELP),
) -> None:
    """Roll up closed days (R3). Without dates: what the schedule does (the closed days
    of the last week that are not rolled up yet)."""
    from partner_center.consumption import rollup as rollups
    from partner_center.core.clock import utcnow

    bootstrap_for(aws)
    first, last = _range(day, date_from, date_to)
    now = utcnow()
    partners = partner or None
    try:
        if first is None or last is None:
            reports = rollups.run_scheduled(now, partners)
        else:
            reports = [
                rollups.rollup(p, first, last, now=now) for p in (partners or rollups.partners())
            ]
    except BadInput as exc:
        console.print(f"[bold red]error:[/] {exc.message}")
        raise typer.Exit(code=1) from exc
    for report in reports:
        console.print(
            f"{report.partner_id} {report.first}..{report.last}: "
            f"{report.lines} lines, {report.customer_items} customer items"
        )
    console.print(f"Rolled up {len(reports)} partner range(s).")


def _range(
    day: str | None, date_from: str | None, date_to: str | None
) -> tuple[date | None, date | None]:
    def parse(name: str, value: str | None) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise typer.BadParameter(f"{name} must be YYYY-MM-DD") from exc

    if day is not None:
        if date_from or date_to:
            raise typer.BadParameter("--date excludes --from and --to")
        one = parse("--date", day)
        return one, one
    first, last = parse("--from", date_from), parse("--to", date_to)
    if (first is None) != (last is None):
        raise typer.BadParameter("--from and --to go together")
    return first, last
