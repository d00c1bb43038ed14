"""The consumption area's root queries: summaries, detail lines, adjustment records."""

from __future__ import annotations

import asyncio
from datetime import date

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.consumption.inputs import (
    AdjustmentRecordFilter,
    ConsumptionDetailFilter,
    adjustment_filter,
    consumption_filter,
    customer_id_of,
)
from partner_center.api.consumption.types import (
    AdjustmentRecordConnection,
    AdjustmentRecordNode,
    ConsumptionLineConnection,
    ConsumptionLineNode,
    ConsumptionSummary,
)
from partner_center.api.context import Info
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.consumption import details, summaries
from partner_center.customers import adjustments
from partner_center.customers.models import AdjustmentItem


async def daily_consumption(
    info: Info, date_from: date, date_to: date, customer_id: relay.GlobalID | None = None
) -> ConsumptionSummary:
    summary = await asyncio.to_thread(
        summaries.daily,
        info.context.principal,
        customer_id_of(customer_id),
        date_from,
        date_to,
        now=summaries.clock(),
    )
    return ConsumptionSummary.of(summary)


async def monthly_consumption(
    info: Info, month_from: str, month_to: str, customer_id: relay.GlobalID | None = None
) -> ConsumptionSummary:
    summary = await asyncio.to_thread(
        summaries.monthly,
        info.context.principal,
        customer_id_of(customer_id),
        month_from,
        month_to,
        now=summaries.clock(),
    )
    return ConsumptionSummary.of(summary)


async def consumption_details(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: ConsumptionDetailFilter | None = None,
) -> ConsumptionLineConnection:
    page = page_request(first, after, "consumption-line")
    flt = await consumption_filter(info, filter)
    found, has_next = await asyncio.to_thread(
        details.list_lines, info.context.principal, flt, after=page.after, limit=page.size
    )
    nodes = [ConsumptionLineNode.of(line) for line in found]
    return build_connection(
        ConsumptionLineConnection,
        nodes,
        has_next,
        "consumption-line",
        lambda n: n.line_key,
        after,
    )


def _adjustment_page(
    info: Info, flt: adjustments.AdjustmentFilter, after: str | None, limit: int
) -> tuple[list[AdjustmentItem], bool]:
    customers = adjustments.visible_customers(info.context.principal)
    store = adjustments.AdjustmentStore(info.context.principal.partner_id)
    return store.page(flt, after=after, limit=limit, customers=customers)


async def adjustment_records(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: AdjustmentRecordFilter | None = None,
) -> AdjustmentRecordConnection:
    page = page_request(first, after, "adjustment")
    flt = await adjustment_filter(info, filter)
    found, has_next = await asyncio.to_thread(_adjustment_page, info, flt, page.after, page.size)
    nodes = [AdjustmentRecordNode.of(i) for i in found]
    return build_connection(
        AdjustmentRecordConnection,
        nodes,
        has_next,
        "adjustment",
        lambda n: n.adjustment_key,
        after,
    )


@strawberry.type
class Query:
    daily_consumption: ConsumptionSummary = access.query(
        "Query.dailyConsumption",
        daily_consumption,
        "Consumption per Beijing day, dateFrom..dateTo (at most 366 days). A day is shown "
        "only after 24:00 of the next day (R3); the figures are roll-ups of the details "
        "(R4).",
    )
    monthly_consumption: ConsumptionSummary = access.query(
        "Query.monthlyConsumption",
        monthly_consumption,
        "Consumption per month (YYYY-MM), monthFrom..monthTo (at most 24 months); a month "
        "in progress is PARTIAL up to its last available day (R3).",
    )
    consumption_details: ConsumptionLineConnection = access.query(
        "Query.consumptionDetails",
        consumption_details,
        "Consumption detail lines, newest first, filtered (a manager: its own customers "
        "from the day after their assignment, R2, R5).",
    )
    adjustment_records: AdjustmentRecordConnection = access.query(
        "Query.adjustmentRecords",
        adjustment_records,
        "Adjustment records, newest first (a manager: its own customers', R2).",
    )
