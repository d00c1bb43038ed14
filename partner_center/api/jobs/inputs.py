"""What `requestExport` takes, and how each export kind's filter is read from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.consumption.inputs import (
    AdjustmentRecordFilter,
    ConsumptionDetailFilter,
    adjustment_filter,
    consumption_filter,
)
from partner_center.api.context import Info
from partner_center.api.core.ids import scoped_id_of
from partner_center.api.jobs.enums import ExportFormatEnum, ExportKindEnum
from partner_center.api.marketplace.inputs import (
    MarketplaceBillDetailFilter,
    bill_details_export_filter,
)
from partner_center.bills import service as bill_service
from partner_center.core.errors import BadInput
from partner_center.jobs.model import ExportFormat, ExportKind


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


async def _partner_bill_filter(info: Info, given: PartnerBillExportFilter | None) -> dict[str, Any]:
    if given is None:
        raise BadInput("partnerBill.billId is required for this export", field="partnerBill")
    partner_id, bill_id = scoped_id_of(given.bill_id, "PartnerBill", "partnerBill.billId")
    return await bill_service.export_filter(info.context.principal, partner_id, bill_id)


async def _consumption_details(info: Info, input: RequestExportInput) -> dict[str, Any]:
    return (await consumption_filter(info, input.consumption_details)).to_json()


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
