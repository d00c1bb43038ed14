"""The consumption area's inputs, and their reading into domain filters and IDs (the
exports of details and adjustments take the same filters)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry import relay

from partner_center.api.consumption.enums import AdjustmentType
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.consumption.filters import ConsumptionFilter
from partner_center.core.errors import NotFound
from partner_center.customers import adjustments
from partner_center.customers.service import get_customer


def customer_id_of(gid: relay.GlobalID | None) -> str | None:
    """The customer a summary is of; None: all of the caller's."""
    return node_id_of(gid, "Customer", "customerId") if gid is not None else None


async def visible_customer_id(info: Info, gid: relay.GlobalID | None) -> str | None:
    """The customer a filter names (None: all of the caller's); one the caller may not
    see is NOT_FOUND, as one that does not exist (R2)."""
    customer_id = customer_id_of(gid)
    if customer_id is not None and await get_customer(info.context.principal, customer_id) is None:
        raise NotFound("no customer with this ID", field="customerId")
    return customer_id


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


async def consumption_filter(
    info: Info, given: ConsumptionDetailFilter | None
) -> ConsumptionFilter:
    """The domain filter of consumption details (also the `consumptionDetails` query's):
    a customer the caller may not see is NOT_FOUND, as one that does not exist."""
    given = given or ConsumptionDetailFilter()
    customer_id = await visible_customer_id(info, given.customer_id)
    return ConsumptionFilter(
        customer_id=customer_id,
        product=given.product,
        billing_mode=given.billing_mode,
        date_from=given.date_from,
        date_to=given.date_to,
        min_amount=given.min_amount,
        max_amount=given.max_amount,
    ).validate()


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
    customer_id = await visible_customer_id(info, given.customer_id)
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
