"""`partner-center bills generate`: run the scheduled bill function on demand.

The same handler the schedule invokes (`functions/bill_generation.handler`'s), called
in this process with the month in its event. It talks to DynamoDB directly: against the
embedded AWS of `partner-center dev`, pass its URL (`--aws`, shown in the dev banner)
and the tables are found from the stack deployed there; in the cloud, run it where the
PC_*_TABLE variables are set.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from partner_center.cli.target import bootstrap_for

app = typer.Typer(help="Partner bills: run the monthly generation locally.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("generate")
def generate(
    month: str = typer.Option(..., help="The Beijing month to bill, YYYY-MM."),
    partner: list[str] = typer.Option(
        [], "--partner", "-p", help="Only these partner IDs (repeatable); default: all."
    ),
    aws: str | None = typer.Option(
        None, "--aws", envvar="AWS_ENDPOINT_URL", help="The embedded AWS of `partner-center dev`."
    ),
) -> None:
    """Generate the partner bills of a month (idempotent: existing bills stay as they are)."""
    from partner_center.bills.generation import MonthNotEnded
    from partner_center.bills.months import Month
    from partner_center.bills.scheduled import BillRunFailed, RunReport
    from partner_center.core.errors import BadInput

    try:
        Month.parse(month)
    except BadInput as exc:
        raise typer.BadParameter("must be YYYY-MM", param_hint="--month") from exc
    bootstrap_for(aws)
    from functions.bill_generation import handler

    event: dict[str, Any] = {"month": month}
    if partner:
        event["partners"] = partner
    failed = False
    try:
        report = RunReport(**handler(event, None))
    except MonthNotEnded as exc:
        console.print(
            f"[bold red]error:[/] {month} has not ended yet in Beijing time; its "
            "bill is generated after it ends"
        )
        raise typer.Exit(code=1) from exc
    except BillRunFailed as exc:
        report, failed = exc.report, True
    table = Table("partner", "bill of " + report.month)
    for partner_id in report.created:
        table.add_row(partner_id, "generated")
    for partner_id in report.existing:
        table.add_row(partner_id, "existed already (unchanged)")
    for partner_id in report.failed:
        table.add_row(partner_id, "[red]failed[/] (see the log)")
    console.print(table)
    if failed:
        raise typer.Exit(code=1)
