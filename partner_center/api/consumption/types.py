"""The consumption area's objects: summaries, detail lines, adjustment records."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from partner_center.api.consumption.enums import AdjustmentType
from partner_center.api.consumption.loaders import adjustment_loader, line_loader
from partner_center.api.context import Info
from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.customers.figures import ConsumptionFigure
from partner_center.api.customers.loaders import customer_loader
from partner_center.api.customers.types import CustomerNode
from partner_center.consumption import summaries
from partner_center.core.clock import from_iso
from partner_center.customers import adjustments
from partner_center.customers.models import AdjustmentItem
from partner_center.storage.models import ConsumptionLine


async def _summary_customer(root: ConsumptionSummary, info: Info) -> CustomerNode | None:
    if root.customer_id is None:
        return None
    return CustomerNode.from_found(await customer_loader(info).load(root.customer_id))


@strawberry.type(
    description="Consumption per day or per month: of one customer, or of all "
    "the caller's customers (a manager: its own, each from the "
    "day after its assignment, R5)."
)
class ConsumptionSummary:
    customer_id: strawberry.Private[str | None]
    customer: CustomerNode | None = strawberry.field(resolver=_summary_customer)
    # Plain fields, filled by `of`.
    figures: list[ConsumptionFigure] = strawberry.field(
        description="One figure per day or month of the range, in order."
    )
    total: Money = strawberry.field(
        description="The sum of the figures' amounts (what is available)."
    )
    complete: bool = strawberry.field(description="Whether every figure is AVAILABLE.")
    counted_from: date | None = strawberry.field(
        description="R5: for a customer manager viewing one customer, the "
        "first day counted (the day after the assignment)."
    )

    @classmethod
    def of(cls, summary: summaries.Summary) -> ConsumptionSummary:
        counted = summary.counted_from
        return cls(
            customer_id=summary.customer_id,
            figures=[ConsumptionFigure.of(f) for f in summary.figures],
            total=Money.of(summary.total),
            complete=summary.complete,
            counted_from=None if counted is None or counted == date.min else counted,
        )


@strawberry.type(
    name="ConsumptionLine",
    description="One consumption detail line (R4: the final word on what was consumed).",
)
class ConsumptionLineNode(LoadedNode, relay.Node):
    line_key: relay.NodeID[str]
    # Plain fields, filled by `of`.
    line_id: str
    customer_id: relay.GlobalID
    customer_name: str = strawberry.field(
        description="The customer's name when the line was charged."
    )
    product: str
    resource_id: str
    billing_mode: str
    usage: str = strawberry.field(description="An exact decimal.")
    usage_unit: str
    amount: Money
    charged_at: datetime
    bill_date: date = strawberry.field(description="The Beijing date the line is billed on.")

    @classmethod
    def of(cls, line: ConsumptionLine) -> ConsumptionLineNode:
        return cls(
            line_key=line.line_key,
            line_id=line.line_id,
            customer_id=relay.GlobalID("Customer", line.customer_id),
            customer_name=line.customer_name,
            product=line.product,
            resource_id=line.resource_id,
            billing_mode=line.billing_mode,
            usage=format(line.usage, "f"),
            usage_unit=line.usage_unit,
            amount=Money.of(line.amount),
            charged_at=from_iso(line.charged_at),
            bill_date=date.fromisoformat(line.bill_date),
        )

    node_loader = line_loader


@strawberry.type(name="ConsumptionLineConnection")
class ConsumptionLineConnection(relay.Connection[ConsumptionLineNode]):
    pass


async def _adjustment_customer(root: AdjustmentRecordNode, info: Info) -> CustomerNode | None:
    return CustomerNode.from_found(await customer_loader(info).load(root.customer_id.node_id))


@strawberry.type(
    name="AdjustmentRecord",
    description="A credit or debit applied to a customer's bill (调账记录).",
)
class AdjustmentRecordNode(LoadedNode, relay.Node):
    adjustment_key: relay.NodeID[str]
    # Plain fields, filled by `of`; only the customer is read per row.
    adjustment_id: str
    customer_id: relay.GlobalID
    customer_name: str = strawberry.field(description="The customer's name on the adjusted bill.")
    customer: CustomerNode | None = strawberry.field(resolver=_adjustment_customer)
    type: AdjustmentType
    amount: Money = strawberry.field(description="Positive; `type` tells the direction.")
    bill_month: str = strawberry.field(description="The adjusted bill's month, YYYY-MM.")
    reason: str = strawberry.field(
        description="A reason code: " + ", ".join(adjustments.REASONS) + "."
    )
    operator_id: relay.GlobalID = strawberry.field(description="Who applied it (a User ID).")
    operator_name: str
    applied_at: datetime
    bill_date: date = strawberry.field(description="The Beijing date of appliedAt.")

    @classmethod
    def of(cls, item: AdjustmentItem) -> AdjustmentRecordNode:
        return cls(
            adjustment_key=item.adjustment_key,
            adjustment_id=item.adjustment_id,
            customer_id=relay.GlobalID("Customer", item.customer_id),
            customer_name=item.customer_name,
            type=AdjustmentType(item.adjustment_type),
            amount=Money.of(item.amount, item.currency),
            bill_month=item.bill_month,
            reason=item.reason,
            operator_id=relay.GlobalID("User", item.operator_id),
            operator_name=item.operator_name,
            applied_at=from_iso(item.applied_at),
            bill_date=date.fromisoformat(item.bill_date),
        )

    node_loader = adjustment_loader


@strawberry.type(name="AdjustmentRecordConnection")
class AdjustmentRecordConnection(relay.Connection[AdjustmentRecordNode]):
    pass
