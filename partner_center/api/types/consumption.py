"""Consumption: daily and monthly summaries (R3, R4, R5) and the detail lines."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.money import Money
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.jobs.inputs import ConsumptionDetailFilter, consumption_filter
from partner_center.api.types.consumption_figure import ConsumptionFigure
from partner_center.api.types.customers import CustomerNode, customer_loader
from partner_center.consumption import details, summaries
from partner_center.core.clock import from_iso
from partner_center.core.errors import Forbidden
from partner_center.storage.models import ConsumptionLine


@strawberry.type(
    description="Consumption per day or per month: of one customer, or of all "
    "the caller's customers (a manager: its own, each from the "
    "day after its assignment, R5)."
)
class ConsumptionSummary:
    summary: strawberry.Private[summaries.Summary]

    @strawberry.field
    async def customer(self, info: Info) -> CustomerNode | None:
        if self.summary.customer_id is None:
            return None
        item = await customer_loader(info).load(self.summary.customer_id)
        return CustomerNode.from_item(item) if item else None

    @strawberry.field(description="One figure per day or month of the range, in order.")
    def figures(self) -> list[ConsumptionFigure]:
        return [ConsumptionFigure.of(f) for f in self.summary.figures]

    @strawberry.field(description="The sum of the figures' amounts (what is available).")
    def total(self) -> Money:
        return Money.of(self.summary.total)

    @strawberry.field(description="Whether every figure is AVAILABLE.")
    def complete(self) -> bool:
        return self.summary.complete

    @strawberry.field(
        description="R5: for a customer manager viewing one customer, the "
        "first day counted (the day after the assignment)."
    )
    def counted_from(self) -> date | None:
        counted = self.summary.counted_from
        return None if counted is None or counted == date.min else counted


def _customer_id(gid: relay.GlobalID | None) -> str | None:
    return node_id_of(gid, "Customer", "customerId") if gid is not None else None


async def daily_consumption(
    info: Info, date_from: date, date_to: date, customer_id: relay.GlobalID | None = None
) -> ConsumptionSummary:
    summary = await asyncio.to_thread(
        summaries.daily,
        info.context.principal,
        _customer_id(customer_id),
        date_from,
        date_to,
        now=summaries.clock(),
    )
    return ConsumptionSummary(summary=summary)


async def monthly_consumption(
    info: Info, month_from: str, month_to: str, customer_id: relay.GlobalID | None = None
) -> ConsumptionSummary:
    summary = await asyncio.to_thread(
        summaries.monthly,
        info.context.principal,
        _customer_id(customer_id),
        month_from,
        month_to,
        now=summaries.clock(),
    )
    return ConsumptionSummary(summary=summary)


@strawberry.type(
    name="ConsumptionLine",
    description="One consumption detail line (R4: the final word on what was consumed).",
)
class ConsumptionLineNode(relay.Node):
    line_key: relay.NodeID[str]
    line: strawberry.Private[ConsumptionLine]

    @strawberry.field
    def line_id(self) -> str:
        return self.line.line_id

    @strawberry.field
    def customer_id(self) -> relay.GlobalID:
        return relay.GlobalID("Customer", self.line.customer_id)

    @strawberry.field(description="The customer's name when the line was charged.")
    def customer_name(self) -> str:
        return self.line.customer_name

    @strawberry.field
    def product(self) -> str:
        return self.line.product

    @strawberry.field
    def resource_id(self) -> str:
        return self.line.resource_id

    @strawberry.field
    def billing_mode(self) -> str:
        return self.line.billing_mode

    @strawberry.field(description="An exact decimal.")
    def usage(self) -> str:
        return format(self.line.usage, "f")

    @strawberry.field
    def usage_unit(self) -> str:
        return self.line.usage_unit

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.line.amount)

    @strawberry.field
    def charged_at(self) -> datetime:
        return from_iso(self.line.charged_at)

    @strawberry.field(description="The Beijing date the line is billed on.")
    def bill_date(self) -> date:
        return date.fromisoformat(self.line.bill_date)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                line = await asyncio.to_thread(details.get_line, info.context.principal, node_id)
            except Forbidden:
                line = None
            results.append(cls(line_key=line.line_key, line=line) if line else None)
        return results


@strawberry.type(name="ConsumptionLineConnection")
class ConsumptionLineConnection(relay.Connection[ConsumptionLineNode]):
    pass


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
    nodes = [ConsumptionLineNode(line_key=line.line_key, line=line) for line in found]
    return build_connection(
        ConsumptionLineConnection,
        nodes,
        has_next,
        "consumption-line",
        lambda n: n.line_key,
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
