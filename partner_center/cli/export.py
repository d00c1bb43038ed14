"""`partner-center export ...`: request an export, follow it, save the file."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from partner_center.cli.client import DEFAULT_API, ApiError, GraphQLClient
from partner_center.cli.tokens import resolve_token

app = typer.Typer(help="Request exports and download their files.", no_args_is_help=True)
console = Console(stderr=True)

POLL_SECONDS = 0.5


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


@app.command("consumption-details")
def consumption_details(
    customer: str | None = typer.Option(None, help="A customer's global ID."),
    product: str | None = typer.Option(None),
    billing_mode: str | None = typer.Option(
        None, help="on_demand, yearly_monthly, reserved or peak_95."),
    date_from: str | None = typer.Option(None, "--from", help="Beijing date, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Beijing date, YYYY-MM-DD."),
    min_amount: str | None = typer.Option(None), max_amount: str | None = typer.Option(None),
    fmt: str = typer.Option("csv", "--format", help="File format: csv or xlsx."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the file."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Export customers' consumption details (anonymized)."""
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise typer.BadParameter(f"{name} must be YYYY-MM-DD") from exc
    filters = {"customerId": customer, "product": product, "billingMode": billing_mode,
               "dateFrom": date_from, "dateTo": date_to, "minAmount": min_amount,
               "maxAmount": max_amount}
    run_export("CONSUMPTION_DETAILS", "consumptionDetails",
               {k: v for k, v in filters.items() if v is not None}, fmt=fmt, wait=wait,
               output=output, api=api, token=resolve_token(user),
               idempotency_key=idempotency_key)


def _bill_id(bill: str, api: str, token: str) -> str:
    """A bill's global ID: as given, or asked from the API for a month (YYYY-MM)."""
    from partner_center.bills.months import Month
    from partner_center.core.errors import BadInput

    try:
        month = Month.parse(bill)
    except BadInput:
        return bill
    client = GraphQLClient(api, token)
    try:
        view = client.call("PartnerBillId", {"month": str(month)})["partnerBill"]
    except ApiError as exc:
        raise _fail(str(exc)) from exc
    finally:
        client.close()
    if view["bill"] is None:
        raise _fail(view["message"])
    return str(view["bill"]["id"])


@app.command("partner-bill")
def partner_bill(
    bill: str = typer.Option(..., help="The bill's month (YYYY-MM) or global ID."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the file."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Export a partner bill as PDF (customer names anonymized)."""
    token = resolve_token(user)
    run_export("PARTNER_BILL", "partnerBill", {"billId": _bill_id(bill, api, token)},
               fmt="pdf", wait=wait, output=output, api=api, token=token,
               idempotency_key=idempotency_key)


@app.command("partner-bill-details")
def partner_bill_details(
    bill: str = typer.Option(..., help="The bill's month (YYYY-MM) or global ID."),
    fmt: str = typer.Option("csv", "--format", help="File format: csv or xlsx."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the file."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Export the consumption details a partner bill covers (anonymized)."""
    token = resolve_token(user)
    run_export("PARTNER_BILL_DETAILS", "partnerBill", {"billId": _bill_id(bill, api, token)},
               fmt=fmt, wait=wait, output=output, api=api, token=token,
               idempotency_key=idempotency_key)


@app.command("marketplace-bill-details")
def marketplace_bill_details(
    bill: str | None = typer.Option(None, help="A marketplace bill's global ID."),
    month: str | None = typer.Option(
        None, help="YYYY-MM: that month's marketplace product solution bill."),
    product: str | None = typer.Option(None, help="A marketplace product's global ID."),
    date_from: str | None = typer.Option(None, "--from", help="Beijing date, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Beijing date, YYYY-MM-DD."),
    min_amount: str | None = typer.Option(None), max_amount: str | None = typer.Option(None),
    fmt: str = typer.Option("csv", "--format", help="File format: csv or xlsx."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the file."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Export a marketplace product solution bill's transaction details (R9, anonymized)."""
    if (bill is None) == (month is None):
        raise typer.BadParameter("pass exactly one of --bill and --month")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise typer.BadParameter("--month must be YYYY-MM")
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise typer.BadParameter(f"{name} must be YYYY-MM-DD") from exc
    token = resolve_token(user)
    if month is not None:
        bill = _marketplace_bill_id(month, api, token)
    filters = {"billId": bill, "productId": product, "dateFrom": date_from,
               "dateTo": date_to, "minAmount": min_amount, "maxAmount": max_amount}
    run_export("MARKETPLACE_BILL_DETAILS", "marketplaceBillDetails",
               {k: v for k, v in filters.items() if v is not None}, fmt=fmt, wait=wait,
               output=output, api=api, token=token, idempotency_key=idempotency_key)


def _marketplace_bill_id(month: str, api: str, token: str) -> str:
    """The caller's product solution bill of `month`, as the API names it."""
    client = GraphQLClient(api, token)
    try:
        edges = client.call("MarketplaceBillId", {"month": month})["marketplaceBills"]["edges"]
    except ApiError as exc:
        raise _fail(str(exc)) from exc
    finally:
        client.close()
    if not edges:
        raise _fail(f"no marketplace product solution bill for {month}")
    return str(edges[0]["node"]["id"])


@app.command("adjustment-records")
def adjustment_records(
    customer: str | None = typer.Option(None, help="A customer's global ID."),
    adjustment_type: str | None = typer.Option(None, "--type", help="credit or debit."),
    date_from: str | None = typer.Option(None, "--from", help="Beijing date, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Beijing date, YYYY-MM-DD."),
    operator: str | None = typer.Option(None, help="The operator's (User) global ID."),
    fmt: str = typer.Option("csv", "--format", help="File format: csv or xlsx."),
    wait: bool = typer.Option(False, "--wait", help="Follow the job and save the file."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where to save it."),
    api: str = typer.Option(DEFAULT_API, help="The API's /graphql URL."),
    user: str | None = typer.Option(None, "--user", "-u", help="A demo login (local only)."),
    idempotency_key: str | None = typer.Option(None, help="Repeat-safe request key."),
) -> None:
    """Export adjustment records (anonymized)."""
    _check_dates(date_from, date_to)
    if adjustment_type is not None and adjustment_type not in ("credit", "debit"):
        raise typer.BadParameter("--type must be credit or debit")
    filters = {"customerId": customer, "type": adjustment_type.upper() if adjustment_type
               else None, "dateFrom": date_from, "dateTo": date_to, "operatorId": operator}
    run_export("ADJUSTMENT_RECORDS", "adjustmentRecords",
               {k: v for k, v in filters.items() if v is not None}, fmt=fmt, wait=wait,
               output=output, api=api, token=resolve_token(user),
               idempotency_key=idempotency_key)


def _check_dates(date_from: str | None, date_to: str | None) -> None:
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise typer.BadParameter(f"{name} must be YYYY-MM-DD") from exc


def run_export(kind: str, filter_field: str, filters: dict[str, Any], *, fmt: str,
               wait: bool, output: Path | None, api: str, token: str,
               idempotency_key: str | None) -> None:
    client = GraphQLClient(api, token)
    try:
        variables: dict[str, Any] = {"input": {
            "kind": kind, "format": fmt.upper(), filter_field: filters}}
        if idempotency_key:
            variables["input"]["idempotencyKey"] = idempotency_key
        payload = client.call("RequestExport", variables)["requestExport"]
        if payload["errors"]:
            error = payload["errors"][0]
            raise _fail(f"{error['code']}: {error['message']}")
        job = payload["job"]
        console.print(f"Export job {job['id']} {job['status'].lower()}.")
        if not wait:
            typer.echo(job["id"])
            return
        job = _follow(client, job["id"])
        if job["status"] != "SUCCEEDED":
            raise _fail(f"the export failed ({job['errorCode'] or 'unknown error'})")
        target = output or Path(job["fileName"])
        client.download(job["downloadUrl"], target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        if digest != job["sha256"]:
            raise _fail("the downloaded file does not match the job's checksum")
        console.print(f"Saved {job['rowCount']} rows ({job['byteSize']} bytes) to {target}")
    except ApiError as exc:
        raise _fail(str(exc)) from exc
    finally:
        client.close()


def _follow(client: GraphQLClient, job_id: str) -> dict[str, Any]:
    with Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[rows]} rows"), console=console) as progress:
        task = progress.add_task("queued", total=100, rows=0)
        while True:
            job = client.call("Job", {"id": job_id})["job"]
            progress.update(task, completed=job["progress"], rows=job["rowCount"] or 0,
                            description=job["status"].lower())
            if job["status"] in ("SUCCEEDED", "FAILED"):
                return job
            time.sleep(POLL_SECONDS)
