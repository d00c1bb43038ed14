"""`partner-center export ...`: request an export, follow it, save the file."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from partner_center.cli.jobs import (
    DEFAULT_API,
    Api,
    DateFrom,
    DateTo,
    IdempotencyKey,
    JobView,
    Output,
    User,
    Wait,
    ask,
    check_dates,
    console,
    fail,
    run_job,
)
from partner_center.cli.tokens import resolve_token

app = typer.Typer(help="Request exports and download their files.", no_args_is_help=True)

Format = Annotated[str, typer.Option("--format", help="File format: csv or xlsx.")]
EXPORT = JobView(
    noun="Export job",
    query="Job",
    counters="{task.fields[rows]} rows",
    fields=lambda job: {"rows": job.get("rowCount") or 0},
)


@app.command("consumption-details")
def consumption_details(
    customer: str | None = typer.Option(None, help="A customer's global ID."),
    product: str | None = typer.Option(None),
    billing_mode: str | None = typer.Option(
        None, help="on_demand, yearly_monthly, reserved or peak_95."
    ),
    date_from: DateFrom = None,
    date_to: DateTo = None,
    min_amount: str | None = typer.Option(None),
    max_amount: str | None = typer.Option(None),
    fmt: Format = "csv",
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Export customers' consumption details (anonymized)."""
    check_dates(date_from, date_to)
    filters = {
        "customerId": customer,
        "product": product,
        "billingMode": billing_mode,
        "dateFrom": date_from,
        "dateTo": date_to,
        "minAmount": min_amount,
        "maxAmount": max_amount,
    }
    run_export(
        "CONSUMPTION_DETAILS",
        "consumptionDetails",
        filters,
        fmt=fmt,
        wait=wait,
        output=output,
        api=api,
        token=resolve_token(user),
        idempotency_key=idempotency_key,
    )


def _bill_id(bill: str, api: str | None, token: str) -> str:
    """A bill's global ID: as given, or asked from the API for a month (YYYY-MM)."""
    from partner_center.bills.months import Month
    from partner_center.core.errors import BadInput

    try:
        month = Month.parse(bill)
    except BadInput:
        return bill
    view = ask(api, token, "PartnerBillId", {"month": str(month)})["partnerBill"]
    if view["bill"] is None:
        raise fail(view["message"])
    return str(view["bill"]["id"])


@app.command("partner-bill")
def partner_bill(
    bill: str = typer.Option(..., help="The bill's month (YYYY-MM) or global ID."),
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Export a partner bill as PDF (customer names anonymized)."""
    token = resolve_token(user)
    run_export(
        "PARTNER_BILL",
        "partnerBill",
        {"billId": _bill_id(bill, api, token)},
        fmt="pdf",
        wait=wait,
        output=output,
        api=api,
        token=token,
        idempotency_key=idempotency_key,
    )


@app.command("partner-bill-details")
def partner_bill_details(
    bill: str = typer.Option(..., help="The bill's month (YYYY-MM) or global ID."),
    fmt: Format = "csv",
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Export the consumption details a partner bill covers (anonymized)."""
    token = resolve_token(user)
    run_export(
        "PARTNER_BILL_DETAILS",
        "partnerBill",
        {"billId": _bill_id(bill, api, token)},
        fmt=fmt,
        wait=wait,
        output=output,
        api=api,
        token=token,
        idempotency_key=idempotency_key,
    )


@app.command("marketplace-bill-details")
def marketplace_bill_details(
    bill: str | None = typer.Option(None, help="A marketplace bill's global ID."),
    month: str | None = typer.Option(
        None, help="YYYY-MM: that month's marketplace product solution bill."
    ),
    product: str | None = typer.Option(None, help="A marketplace product's global ID."),
    date_from: DateFrom = None,
    date_to: DateTo = None,
    min_amount: str | None = typer.Option(None),
    max_amount: str | None = typer.Option(None),
    fmt: Format = "csv",
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Export a marketplace product solution bill's transaction details (R9, anonymized)."""
    if (bill is None) == (month is None):
        raise typer.BadParameter("pass exactly one of --bill and --month")
    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise typer.BadParameter("--month must be YYYY-MM")
    check_dates(date_from, date_to)
    token = resolve_token(user)
    if month is not None:
        bill = _marketplace_bill_id(month, api, token)
    filters = {
        "billId": bill,
        "productId": product,
        "dateFrom": date_from,
        "dateTo": date_to,
        "minAmount": min_amount,
        "maxAmount": max_amount,
    }
    run_export(
        "MARKETPLACE_BILL_DETAILS",
        "marketplaceBillDetails",
        filters,
        fmt=fmt,
        wait=wait,
        output=output,
        api=api,
        token=token,
        idempotency_key=idempotency_key,
    )


def _marketplace_bill_id(month: str, api: str | None, token: str) -> str:
    """The caller's product solution bill of `month`, as the API names it."""
    edges = ask(api, token, "MarketplaceBillId", {"month": month})["marketplaceBills"]["edges"]
    if not edges:
        raise fail(f"no marketplace product solution bill for {month}")
    return str(edges[0]["node"]["id"])


@app.command("adjustment-records")
def adjustment_records(
    customer: str | None = typer.Option(None, help="A customer's global ID."),
    adjustment_type: str | None = typer.Option(None, "--type", help="credit or debit."),
    date_from: DateFrom = None,
    date_to: DateTo = None,
    operator: str | None = typer.Option(None, help="The operator's (User) global ID."),
    fmt: Format = "csv",
    wait: Wait = False,
    output: Output = None,
    api: Api = DEFAULT_API,
    user: User = None,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Export adjustment records (anonymized)."""
    check_dates(date_from, date_to)
    if adjustment_type is not None and adjustment_type not in ("credit", "debit"):
        raise typer.BadParameter("--type must be credit or debit")
    filters = {
        "customerId": customer,
        "type": adjustment_type.upper() if adjustment_type else None,
        "dateFrom": date_from,
        "dateTo": date_to,
        "operatorId": operator,
    }
    run_export(
        "ADJUSTMENT_RECORDS",
        "adjustmentRecords",
        filters,
        fmt=fmt,
        wait=wait,
        output=output,
        api=api,
        token=resolve_token(user),
        idempotency_key=idempotency_key,
    )


def run_export(
    kind: str,
    filter_field: str,
    filters: dict[str, Any],
    *,
    fmt: str,
    wait: bool,
    output: Output,
    api: str | None,
    token: str,
    idempotency_key: str | None,
) -> None:
    # Options left unset are left out of the filter.
    given = {k: v for k, v in filters.items() if v is not None}
    variables: dict[str, Any] = {
        "input": {"kind": kind, "format": fmt.upper(), filter_field: given}
    }
    if idempotency_key:
        variables["input"]["idempotencyKey"] = idempotency_key
    job = run_job(
        "RequestExport",
        variables,
        "requestExport",
        EXPORT,
        wait=wait,
        output=output,
        api=api,
        token=token,
    )
    if job is not None:
        console.print(f"Saved {job['rowCount']} rows ({job['byteSize']} bytes) to {job['savedTo']}")
