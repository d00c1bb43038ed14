"""Jobs: the `Job` node, the `jobs` connection and the `requestExport` mutation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.consumption.inputs import AdjustmentRecordFilter, adjustment_filter
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of, scoped_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.api.marketplace.inputs import (
    MarketplaceBillDetailFilter,
    bill_details_export_filter,
)
from partner_center.bills import service as bill_service
from partner_center.consumption.filters import ConsumptionFilter
from partner_center.core.clock import from_iso, from_iso_or_none, utcnow
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.customers.service import get_customer
from partner_center.exports import requests
from partner_center.jobs import service
from partner_center.jobs.downloads import download_url
from partner_center.jobs.model import ExportFormat, ExportKind, Job, JobKind, JobStatus

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(JobStatus, name="JobStatus")
JobStatusEnum: TypeAlias = JobStatus
strawberry.enum(JobKind, name="JobKind")
JobKindEnum: TypeAlias = JobKind
strawberry.enum(
    ExportKind,
    name="ExportKind",
    description="What requestExport can write: the job kinds that are exports.",
)
ExportKindEnum: TypeAlias = ExportKind
strawberry.enum(ExportFormat, name="ExportFormat")
ExportFormatEnum: TypeAlias = ExportFormat


@strawberry.type(
    name="Job", description="An asynchronous export (or other slow work) and its outcome."
)
class JobNode(relay.Node):
    job_id: relay.NodeID[str]
    job: strawberry.Private[Job]

    @strawberry.field
    def kind(self) -> JobKindEnum:
        return self.job.kind

    @strawberry.field
    def format(self) -> ExportFormatEnum:
        return self.job.format

    @strawberry.field
    def status(self) -> JobStatusEnum:
        return self.job.status

    @strawberry.field(description="0 to 100; 100 once the file is complete.")
    def progress(self) -> int:
        return self.job.progress

    @strawberry.field(description="Rows written (so far, while running).")
    def row_count(self) -> int | None:
        return self.job.row_count

    @strawberry.field
    def byte_size(self) -> int | None:
        return self.job.byte_size if self.job.status is JobStatus.SUCCEEDED else None

    @strawberry.field(description="SHA-256 of the file, hex.")
    def sha256(self) -> str | None:
        return self.job.sha256

    @strawberry.field
    def file_name(self) -> str | None:
        return self.job.file_name

    @strawberry.field(
        description="The filters the job was requested with (for a lead "
        "dispatch job: its action, staff and lead count), as JSON."
    )
    def parameters(self) -> strawberry.scalars.JSON:
        parameters = self.job.parameters
        return strawberry.scalars.JSON(parameters.get("filter") or parameters.get("dispatch") or {})

    @strawberry.field(description="Items that succeeded so far (batch jobs: leads).")
    def succeeded_count(self) -> int | None:
        return self.job.succeeded_count

    @strawberry.field(description="Items that failed so far (batch jobs: leads).")
    def failed_count(self) -> int | None:
        return self.job.failed_count

    @strawberry.field(description="The ID of the user who requested the job.")
    def requested_by(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.job.requested_by)

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.job.created_at)

    @strawberry.field
    def started_at(self) -> datetime | None:
        return from_iso_or_none(self.job.started_at)

    @strawberry.field
    def finished_at(self) -> datetime | None:
        return from_iso_or_none(self.job.finished_at)

    @strawberry.field(description="Why the job failed, as a stable code.")
    def error_code(self) -> str | None:
        return self.job.error_code

    @strawberry.field(description="The code of the last failed attempt, if any.")
    def last_attempt_error(self) -> str | None:
        return self.job.last_attempt_error

    @strawberry.field
    def attempts(self) -> int:
        return self.job.attempts

    @strawberry.field(
        description="A presigned link to the file, valid for at most 15 "
        "minutes from this response; null until it succeeded."
    )
    async def download_url(self, info: Info) -> str | None:
        return await download_url(self.job, info.context.settings)

    @strawberry.field(description="When `downloadUrl` stops working.")
    def download_url_expires_at(self, info: Info) -> datetime | None:
        if self.job.status is not JobStatus.SUCCEEDED:
            return None
        return utcnow() + timedelta(seconds=info.context.settings.download_url_seconds)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            job = await service.get_job(info.context.principal, node_id)
            results.append(cls(job_id=job.job_id, job=job) if job else None)
        return results


@strawberry.type(name="JobConnection")
class JobConnection(relay.Connection[JobNode]):
    pass


@strawberry.input(
    description="Filters of the consumption details export. Dates are "
    "Beijing dates (UTC+8), inclusive; amounts are decimals."
)
class ConsumptionDetailFilter:
    customer_id: relay.GlobalID | None = None
    product: str | None = None
    billing_mode: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


@strawberry.input(
    description="The partner bill to export: PARTNER_BILL as PDF, "
    "PARTNER_BILL_DETAILS (the details it covers) as CSV or XLSX."
)
class PartnerBillExportFilter:
    bill_id: relay.GlobalID


@strawberry.input
class RequestExportInput:
    kind: ExportKindEnum
    format: ExportFormatEnum = ExportFormat.CSV
    consumption_details: ConsumptionDetailFilter | None = None
    marketplace_bill_details: MarketplaceBillDetailFilter | None = None
    adjustment_records: AdjustmentRecordFilter | None = None
    partner_bill: PartnerBillExportFilter | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeat a request with the same key to get the same job."
    )


@strawberry.type
class RequestExportPayload:
    job: JobNode | None
    created: bool = False
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _consumption_filter(
    info: Info, given: ConsumptionDetailFilter | None
) -> ConsumptionFilter:
    given = given or ConsumptionDetailFilter()
    customer_id = None
    if given.customer_id is not None:
        customer_id = node_id_of(given.customer_id, "Customer", "customerId")
        if await get_customer(info.context.principal, customer_id) is None:
            raise NotFound("no customer with this ID", field="customerId")
    return ConsumptionFilter(
        customer_id=customer_id,
        product=given.product,
        billing_mode=given.billing_mode,
        date_from=given.date_from,
        date_to=given.date_to,
        min_amount=given.min_amount,
        max_amount=given.max_amount,
    ).validate()


async def _partner_bill_filter(info: Info, given: PartnerBillExportFilter | None) -> dict[str, Any]:
    if given is None:
        raise BadInput("partnerBill.billId is required for this export", field="partnerBill")
    partner_id, bill_id = scoped_id_of(given.bill_id, "PartnerBill", "partnerBill.billId")
    return await bill_service.export_filter(info.context.principal, partner_id, bill_id)


async def _consumption_details(info: Info, input: RequestExportInput) -> dict[str, Any]:
    return (await _consumption_filter(info, input.consumption_details)).to_json()


async def _marketplace_bill_details(info: Info, input: RequestExportInput) -> dict[str, Any]:
    return (await bill_details_export_filter(info, input.marketplace_bill_details)).to_json()


async def _adjustment_records(info: Info, input: RequestExportInput) -> dict[str, Any]:
    return (await adjustment_filter(info, input.adjustment_records)).to_json()


async def _partner_bill(info: Info, input: RequestExportInput) -> dict[str, Any]:
    return await _partner_bill_filter(info, input.partner_bill)


# How each export kind's filter is read from the input: decoded IDs, existence checks,
# the JSON the job keeps. The rest (menu, formats, columns, plan) is the kind's module in
# exports/kinds/; a test holds this table to the registry's kinds.
EXPORT_FILTERS: dict[
    ExportKind, Callable[[Info, RequestExportInput], Awaitable[dict[str, Any]]]
] = {
    ExportKind.CONSUMPTION_DETAILS: _consumption_details,
    ExportKind.MARKETPLACE_BILL_DETAILS: _marketplace_bill_details,
    ExportKind.ADJUSTMENT_RECORDS: _adjustment_records,
    ExportKind.PARTNER_BILL: _partner_bill,
    ExportKind.PARTNER_BILL_DETAILS: _partner_bill,
}


async def request_export(info: Info, input: RequestExportInput) -> RequestExportPayload:
    try:
        flt = await EXPORT_FILTERS[input.kind](info, input)
        job, created = await requests.request_export(
            info.context.principal,
            requests.ExportRequest(
                kind=input.kind,
                format=input.format,
                filter=flt,
                idempotency_key=input.idempotency_key,
            ),
            info.context.settings,
        )
    except (BadInput, NotFound, Refused) as refusal:
        # Input the caller can fix comes back in the payload; permission errors
        # (Forbidden) stay GraphQL errors.
        return RequestExportPayload(job=None, errors=[UserError.from_client_error(refusal)])
    return RequestExportPayload(job=JobNode(job_id=job.job_id, job=job), created=created)


async def job(info: Info, id: relay.GlobalID) -> JobNode | None:
    job_id = node_id_of(id, "Job", "id")
    found = await service.get_job(info.context.principal, job_id)
    if found is None:
        raise NotFound("no job with this ID")
    return JobNode(job_id=found.job_id, job=found)


async def jobs(info: Info, first: int | None = None, after: str | None = None) -> JobConnection:
    page = page_request(first, after, "job")
    found, has_next = await service.list_jobs(
        info.context.principal, after_job_id=page.after, limit=page.size
    )
    nodes = [JobNode(job_id=j.job_id, job=j) for j in found]
    return build_connection(JobConnection, nodes, has_next, "job", lambda n: n.job_id, after)


@strawberry.type
class Query:
    job: JobNode | None = access.query(
        "Query.job", job, "A job by ID; NOT_FOUND when the caller may not see it."
    )
    jobs: JobConnection = access.query(
        "Query.jobs",
        jobs,
        "The caller's jobs, newest first (an administrator sees every job of its partner).",
    )


@strawberry.type
class Mutation:
    request_export: RequestExportPayload = access.mutation(
        "Mutation.requestExport",
        request_export,
        "Ask for an export; a worker writes the file. Poll `job` for it.",
    )
