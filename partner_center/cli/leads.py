"""`partner-center leads dispatch|recall ...`: run a dispatch job, follow it, save its report."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from partner_center.cli.client import DEFAULT_API, ApiError, GraphQLClient
from partner_center.cli.tokens import resolve_token

app = typer.Typer(help="Dispatch and recall leads in batches (dispatch jobs).",
                  no_args_is_help=True)
console = Console(stderr=True)

POLL_SECONDS = 0.5
# Exit codes: 0 every lead changed; 1 an error or a failed job; 3 some leads refused.
SOME_LEADS_FAILED = 3

LEADS_HELP = "A lead's global ID; repeat for a batch (up to 1,000)."
FILE_HELP = "A file of lead global IDs, one a line (added to --lead)."


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


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
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the report."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Dispatch leads to a staff member (R6, R7)."""
    run_dispatch_job("DispatchLeads", "dispatchLeads",
                     {"leadIds": _lead_ids(lead, from_file), "staffId": staff},
                     wait=wait, output=output, api=api, token=resolve_token(user),
                     idempotency_key=idempotency_key)


@app.command("recall")
def recall(
    lead: list[str] | None = typer.Option(None, "--lead", "-l", help=LEADS_HELP),
    from_file: Path | None = typer.Option(None, "--from-file", help=FILE_HELP),
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the report."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Recall dispatched leads (R6, R7)."""
    run_dispatch_job("RecallLeads", "recallLeads", {"leadIds": _lead_ids(lead, from_file)},
                     wait=wait, output=output, api=api, token=resolve_token(user),
                     idempotency_key=idempotency_key)


def run_dispatch_job(operation: str, field: str, values: dict[str, Any], *, wait: bool,
                     output: Path | None, api: str, token: str,
                     idempotency_key: str | None) -> None:
    client = GraphQLClient(api, token)
    try:
        if idempotency_key:
            values["idempotencyKey"] = idempotency_key
        payload = client.call(operation, {"input": values})[field]
        if payload["errors"]:
            error = payload["errors"][0]
            raise _fail(f"{error['code']}: {error['message']}")
        job = payload["job"]
        console.print(f"Dispatch job {job['id']} {job['status'].lower()}.")
        if not wait:
            typer.echo(job["id"])
            return
        job = _follow(client, job["id"])
        if job["status"] != "SUCCEEDED":
            raise _fail(f"the dispatch job failed ({job['errorCode'] or 'unknown error'})")
        target = output or Path(job["fileName"])
        client.download(job["downloadUrl"], target)
        if hashlib.sha256(target.read_bytes()).hexdigest() != job["sha256"]:
            raise _fail("the downloaded report does not match the job's checksum")
        console.print(f"{job['succeededCount']} leads changed, {job['failedCount']} refused; "
                      f"per-lead report saved to {target}")
        if job["failedCount"]:
            raise typer.Exit(code=SOME_LEADS_FAILED)
    except ApiError as exc:
        raise _fail(str(exc)) from exc
    finally:
        client.close()


def _follow(client: GraphQLClient, job_id: str) -> dict[str, Any]:
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[ok]} ok, {task.fields[refused]} refused"),
                  console=console) as progress:
        task = progress.add_task("queued", total=100, ok=0, refused=0)
        while True:
            job = client.call("DispatchJob", {"id": job_id})["job"]
            progress.update(task, completed=job["progress"], ok=job["succeededCount"] or 0,
                            refused=job["failedCount"] or 0,
                            description=job["status"].lower())
            if job["status"] in ("SUCCEEDED", "FAILED"):
                return job
            time.sleep(POLL_SECONDS)
