"""What every job-running command shares: its options, and request → follow → download.

`export ...` and `leads dispatch|recall` each ask the API for a job, print its ID, or,
with `--wait`, follow it with a progress bar, download its file and check the file's
SHA-256 against the job's. Only the mutation, the progress counters and the closing
line differ.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from partner_center.cli.client import DEFAULT_API, ApiError, GraphQLClient

console = Console(stderr=True, soft_wrap=True)

POLL_SECONDS = 0.5

# The options every job-running command takes (typer reads these from the annotations).
Wait = Annotated[bool, typer.Option("--wait", help="Follow the job and save its file.")]
Output = Annotated[Path | None, typer.Option("-o", "--output", help="Where to save it.")]
Api = Annotated[
    str | None,
    typer.Option(
        "--api",
        envvar="PARTNER_CENTER_API",
        help="The API's /graphql URL; default: the running `partner-center dev`'s.",
    ),
]
User = Annotated[str | None, typer.Option("--user", "-u", help="A demo login (local only).")]
IdempotencyKey = Annotated[
    str | None, typer.Option("--idempotency-key", help="Repeat-safe request key.")
]
DateFrom = Annotated[str | None, typer.Option("--from", help="Beijing date, YYYY-MM-DD.")]
DateTo = Annotated[str | None, typer.Option("--to", help="Beijing date, YYYY-MM-DD.")]

__all__ = [
    "DEFAULT_API",
    "Api",
    "DateFrom",
    "DateTo",
    "IdempotencyKey",
    "JobView",
    "Output",
    "User",
    "Wait",
    "ask",
    "check_dates",
    "fail",
    "run_job",
]


def fail(message: str, hint: str | None = None) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(message)}")
    if hint:
        console.print(f"  {escape(hint)}")
    return typer.Exit(code=1)


def check_dates(date_from: str | None, date_to: str | None) -> None:
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise typer.BadParameter(f"{name} must be YYYY-MM-DD") from exc


def ask(api: str | None, token: str, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
    """One trusted operation's data; an API error exits 1 with its code and message."""
    client = GraphQLClient(api, token)
    try:
        return client.call(operation, variables)
    except ApiError as exc:
        raise fail(str(exc), exc.hint) from exc
    finally:
        client.close()


@dataclass(frozen=True)
class JobView:
    """How a command shows its kind of job."""

    noun: str  # "Export job"
    query: str  # the trusted document that reads the job back: "Job"
    counters: str  # the progress bar's text, over `fields`: "{task.fields[rows]} rows"
    # The job → those fields (counts), passed to rich as the task's own fields.
    fields: Callable[[dict[str, Any]], dict[str, Any]]


def run_job(
    operation: str,
    variables: dict[str, Any],
    field: str,
    view: JobView,
    *,
    wait: bool,
    output: Path | None,
    api: str | None,
    token: str,
) -> dict[str, Any] | None:
    """Request the job; without `wait`, print its ID and return None. With `wait`,
    follow it, save its file (to `output`, else its own name) after checking the
    checksum, and return the finished job. Every failure exits 1 with a clear line."""
    client = GraphQLClient(api, token)
    try:
        payload = client.call(operation, variables)[field]
        if payload["errors"]:
            error = payload["errors"][0]
            raise fail(f"{error['code']}: {error['message']}")
        job = payload["job"]
        console.print(f"{view.noun} {job['id']} {job['status'].lower()}.")
        if not wait:
            typer.echo(job["id"])
            return None
        job = _follow(client, job["id"], view)
        if job["status"] != "SUCCEEDED":
            raise fail(f"the {view.noun.lower()} failed ({job['errorCode'] or 'unknown error'})")
        target = output or Path(job["fileName"])
        client.download(job["downloadUrl"], target)
        if hashlib.sha256(target.read_bytes()).hexdigest() != job["sha256"]:
            raise fail("the downloaded file does not match the job's checksum")
        return {**job, "savedTo": str(target)}
    except ApiError as exc:
        raise fail(str(exc), exc.hint) from exc
    finally:
        client.close()


def _follow(client: GraphQLClient, job_id: str, view: JobView) -> dict[str, Any]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn(view.counters),
        console=console,
    ) as progress:
        task = progress.add_task("queued", total=100, **view.fields({}))
        while True:
            job = client.call(view.query, {"id": job_id})["job"]
            progress.update(
                task,
                completed=job["progress"],
                description=job["status"].lower(),
                **view.fields(job),
            )
            if job["status"] in ("SUCCEEDED", "FAILED"):
                return job
            time.sleep(POLL_SECONDS)
