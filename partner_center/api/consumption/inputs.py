"""The consumption area's inputs, and their reading into domain filters and IDs. (The
consumption details' filter is the export's, in the jobs area.)"""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.consumption.enums import AdjustmentType
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.core.errors import NotFound
from partner_center.customers import adjustments
from partner_center.customers.service import get_customer


def customer_id_of(gid: relay.GlobalID | None) -> str | None:
    """The customer a summary is of; None: all of the caller's."""
    return node_id_of(gid, "Customer", "customerId") if gid is not None else None


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
