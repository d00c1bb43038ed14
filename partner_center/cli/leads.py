"""`partner-center leads dispatch|recall ...`: run a dispatch job, follow it, save its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from partner_center.cli.jobs import (
    DEFAULT_API,
    Api,
    IdempotencyKey,
    JobView,
    Output,
    User,
    Wait,
    console,
    run_job,
)
from partner_center.cli.tokens import resolve_token

app = typer.Typer(
    help="Dispatch and recall leads in batches (dispatch jobs).", no_args_is_help=True
)

# Exit codes: 0 every lead changed; 1 an error or a failed job; 3 some leads refused.
SOME_LEADS_FAILED = 3

DISPATCH = JobView(
    noun="Dispatch job",
    query="DispatchJob",
    counters="{task.fields[ok]} ok, {task.fields[refused]} refused",
    fields=lambda job: {
        "ok": job.get("succeededCount") or 0,
        "refused": job.get("failedCount") or 0,
    },
)

LEADS_HELP = "A lead's global ID; repeat for a batch (up to 1,000)."
FILE_HELP = "A file of lead global IDs, one a line (added to --lead)."


def _lead_ids(leads: list[str] | None, from_file: Path | None) -> list[str]:
    ids = list(leads or [])
    if from_file is not None:
        try:
            text = from_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {from_file}") from exc
        ids += [line.strip() for line in text.splitlines() if line.strip()]
    if not ids:
        raise typer.BadParameter("name at least one lead (--lead or --from-file)")
    return ids


@app.command("dispatch")
def dispatch(
    lead: list[str] | None = typer.Option(None, "--lead", "-l", help=LEADS_HELP),
    from_file: Path | None = typer.Option(None, "--from-file", help=FILE_HELP),
    staff: str = typer.Option(..., "--staff", help="The staff User's global ID."),
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Dispatch leads to a staff member (R6, R7)."""
    run_dispatch_job(
        "DispatchLeads",
        "dispatchLeads",
        {"leadIds": _lead_ids(lead, from_file), "staffId": staff},
        wait=wait,
        output=output,
        api=api,
        token=resolve_token(user),
        idempotency_key=idempotency_key,
    )


@app.command("recall")
def recall(
    lead: list[str] | None = typer.Option(None, "--lead", "-l", help=LEADS_HELP),
    from_file: Path | None = typer.Option(None, "--from-file", help=FILE_HELP),
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Recall dispatched leads (R6, R7)."""
    run_dispatch_job(
        "RecallLeads",
        "recallLeads",
        {"leadIds": _lead_ids(lead, from_file)},
        wait=wait,
        output=output,
        api=api,
        token=resolve_token(user),
        idempotency_key=idempotency_key,
    )


def run_dispatch_job(
    operation: str,
    field: str,
    values: dict[str, Any],
    *,
    wait: bool,
    output: Path | None,
    api: str | None,
    token: str,
    idempotency_key: str | None,
) -> None:
    if idempotency_key:
        values["idempotencyKey"] = idempotency_key
    job = run_job(
        operation,
        {"input": values},
        field,
        DISPATCH,
        wait=wait,
        output=output,
        api=api,
        token=token,
    )
    if job is None:
        return
    console.print(
        f"{job['succeededCount']} leads changed, {job['failedCount']} refused; "
        f"per-lead report saved to {job['savedTo']}"
    )
    if job["failedCount"]:
        raise typer.Exit(code=SOME_LEADS_FAILED)
