"""Adjustment records: the connection, and the filter its export shares."""

from __future__ import annotations

import asyncio
import enum
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
from partner_center.api.customers.loaders import customer_loader
from partner_center.api.customers.types import CustomerNode
from partner_center.core.clock import from_iso
from partner_center.core.errors import Forbidden, NotFound
from partner_center.customers import adjustments
from partner_center.customers.models import AdjustmentItem
from partner_center.customers.service import get_customer


@strawberry.enum
class AdjustmentType(enum.Enum):
    CREDIT = "credit"
    DEBIT = "debit"


@strawberry.type(
    name="AdjustmentRecord",
    description="A credit or debit applied to a customer's bill (调账记录).",
)
class AdjustmentRecordNode(relay.Node):
    adjustment_key: relay.NodeID[str]
    item: strawberry.Private[AdjustmentItem]

    @strawberry.field
    def adjustment_id(self) -> str:
        return self.item.adjustment_id

    @strawberry.field
    def customer_id(self) -> relay.GlobalID:
        return relay.GlobalID("Customer", self.item.customer_id)

    @strawberry.field(description="The customer's name on the adjusted bill.")
    def customer_name(self) -> str:
        return self.item.customer_name

    @strawberry.field
    async def customer(self, info: Info) -> CustomerNode | None:
        item = await customer_loader(info).load(self.item.customer_id)
        return CustomerNode.from_item(item) if item else None

    @strawberry.field
    def type(self) -> AdjustmentType:
        return AdjustmentType(self.item.adjustment_type)

    @strawberry.field(description="Positive; `type` tells the direction.")
    def amount(self) -> Money:
        return Money.of(self.item.amount, self.item.currency)

    @strawberry.field(description="The adjusted bill's month, YYYY-MM.")
    def bill_month(self) -> str:
        return self.item.bill_month

    @strawberry.field(description="A reason code: " + ", ".join(adjustments.REASONS) + ".")
    def reason(self) -> str:
        return self.item.reason

    @strawberry.field(description="Who applied it (a User ID).")
    def operator_id(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.item.operator_id)

    @strawberry.field
    def operator_name(self) -> str:
        return self.item.operator_name

    @strawberry.field
    def applied_at(self) -> datetime:
        return from_iso(self.item.applied_at)

    @strawberry.field(description="The Beijing date of appliedAt.")
    def bill_date(self) -> date:
        return date.fromisoformat(self.item.bill_date)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                item = await asyncio.to_thread(_visible_record, info, node_id)
            except Forbidden:
                item = None
            results.append(cls(adjustment_key=item.adjustment_key, item=item) if item else None)
        return results


def _visible_record(info: Info, key: str) -> AdjustmentItem | None:
    visible = adjustments.visible_customers(info.context.principal)
    item = adjustments.AdjustmentStore(info.context.principal.partner_id).get(key)
    if item is None or (visible is not None and item.customer_id not in visible):
        return None
    return item


@strawberry.type(name="AdjustmentRecordConnection")
class AdjustmentRecordConnection(relay.Connection[AdjustmentRecordNode]):
    pass


@strawberry.input(
    description="Filters of adjustment records and their export. Dates are "
    "Beijing dates of appliedAt, inclusive (at most 366 days)."
)
class AdjustmentRecordFilter:
    customer_id: relay.GlobalID | None = None
    type: AdjustmentType | None = None
    date_from: date | None = None
    date_to: date | None = None
    operator_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Who applied them (a User ID)."
    )


async def adjustment_filter(
    info: Info, given: AdjustmentRecordFilter | None
) -> adjustments.AdjustmentFilter:
    """Validated filters; a customer the caller may not see is NOT_FOUND (R2)."""
    given = given or AdjustmentRecordFilter()
    customer_id = None
    if given.customer_id is not None:
        customer_id = node_id_of(given.customer_id, "Customer", "customerId")
        if await get_customer(info.context.principal, customer_id) is None:
            raise NotFound("no customer with this ID", field="customerId")
    operator_id = (
        node_id_of(given.operator_id, "User", "operatorId")
        if given.operator_id is not None
        else None
    )
    return adjustments.AdjustmentFilter(
        customer_id=customer_id,
        adjustment_type=given.type.value if given.type else None,
        date_from=given.date_from,
        date_to=given.date_to,
        operator_id=operator_id,
    ).validate()


def _page(
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
    found, has_next = await asyncio.to_thread(_page, info, flt, page.after, page.size)
    nodes = [AdjustmentRecordNode(adjustment_key=i.adjustment_key, item=i) for i in found]
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
    adjustment_records: AdjustmentRecordConnection = access.query(
        "Query.adjustmentRecords",
        adjustment_records,
        "Adjustment records, newest first (a manager: its own customers', R2).",
    )
