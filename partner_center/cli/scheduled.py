"""`partner-center scheduled list|run`: serverless.yml's scheduled functions, by hand.

`partner-center dev` runs them on their schedules (`partner_center/local/scheduler.py`);
`list` shows when they run next, and `run` invokes one now, in this process, with the
event EventBridge would send (its `time` can be set with `--at`, which is what the bill
run reads to choose its month).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from partner_center.cli.target import AWS_HELP, bootstrap_for
from partner_center.core.clock import BEIJING, utcnow
from partner_center.local.functions import scheduled_functions
from partner_center.local.scheduler import Schedule, invoke

app = typer.Typer(
    help="Scheduled functions: when they run, and running one now.", no_args_is_help=True
)
console = Console(stderr=True)


@app.command("list")
def list_functions() -> None:
    """Each scheduled function, its EventBridge rules and its next run."""
    functions = scheduled_functions()
    upcoming = {due.function.name: due.at for due in Schedule(functions, utcnow()).next_runs()}
    table = Table("function", "rules (UTC)", "next run (UTC)", "next run (Beijing)")
    for function in functions:
        at = upcoming.get(function.name)
        table.add_row(
            function.name,
            "\n".join(function.expressions),
            at.strftime("%Y-%m-%d %H:%M") if at else "never",
            at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if at else "",
        )
    Console().print(table)


def _instant(text: str | None) -> datetime:
    if text is None:
        return utcnow().replace(second=0, microsecond=0)
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(
            "must be an ISO 8601 time, e.g. 2026-12-04T18:00Z", param_hint="--at"
        ) from exc
    if instant.tzinfo is None:
        raise typer.BadParameter("give the time zone (Z for UTC)", param_hint="--at")
    return instant.astimezone(UTC)


@app.command("run")
def run(
    name: str = typer.Argument(
        ..., help="The function's name in serverless.yml, e.g. billGeneration."
    ),
    at: str | None = typer.Option(
        None,
        "--at",
        help="The scheduled time the event carries "
        "(ISO 8601 with zone); default: now, to the minute.",
    ),
    aws: str | None = typer.Option(None, "--aws", help=AWS_HELP),
) -> None:
    """Invoke a scheduled function's handler once, as its schedule would; print its result."""
    functions = {f.name: f for f in scheduled_functions()}
    if name not in functions:
        raise typer.BadParameter(
            f"no scheduled function {name!r}; one of: {', '.join(sorted(functions))}",
            param_hint="NAME",
        )
    when = _instant(at)
    settings = bootstrap_for(aws)
    try:
        result = invoke(functions[name], when, 0, settings.region)
    except Exception as exc:
        console.print(f"[bold red]{name} failed:[/] {exc}")
        raise typer.Exit(code=1) from exc
    typer.echo(json.dumps(result, default=str, ensure_ascii=False))
