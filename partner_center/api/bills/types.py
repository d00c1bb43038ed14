"""The partner bill, its items and adjustments, a month's view, and the payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.bills.enums import PartnerBillAvailability, PartnerBillStatus
from partner_center.api.bills.loaders import bill_item_loader, bill_loader
from partner_center.api.context import Info
from partner_center.api.core.ids import scoped, split
from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import Payload
from partner_center.bills import service
from partner_center.bills.bill import Adjustment, Bill, BillItem
from partner_center.core.anonymize import mask_name
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.core.errors import BadInput


def _item_key(node_id: str) -> tuple[str, str, int] | None:
    """(partner, bill, line number) of a bill item's node ID; None for any other ID."""
    partner_id, local = split(node_id) or ("", "")
    bill_id, _, seq = local.partition(":")
    return (partner_id, bill_id, int(seq)) if seq.isdigit() else None


@strawberry.type(
    name="PartnerBillItem",
    description="One line of a partner bill: a "
    "customer's consumption of one product in one billing mode.",
)
class PartnerBillItemNode(LoadedNode, relay.Node):
    item_id: relay.NodeID[str]
    item: strawberry.Private[BillItem]
    # Plain fields (read from the record, no resolver per row), filled by `of`.
    seq: int
    customer: relay.GlobalID = strawberry.field(
        description="The customer (resolvable with the customers menu)."
    )
    customer_name: str = strawberry.field(
        description="The customer's name as on its consumption details, masked."
    )
    product: str
    billing_mode: str
    usage: str | None = strawberry.field(
        description="Total usage, as a decimal string; null when the details mix units."
    )
    usage_unit: str | None
    amount: Money = strawberry.field(description="The exact sum of the details this item covers.")
    detail_count: int = strawberry.field(
        description="How many consumption details this item covers."
    )

    @classmethod
    def of(cls, bill: Bill, item: BillItem) -> PartnerBillItemNode:
        return cls(
            item_id=scoped(bill.partner_id, f"{bill.bill_id}:{item.seq}"),
            item=item,
            seq=item.seq,
            customer=relay.GlobalID("Customer", item.customer_id),
            # R1: customer names are customers-menu data; the billing menu sees them masked.
            customer_name=mask_name(item.customer_name),
            product=item.product,
            billing_mode=item.billing_mode,
            usage=None if item.usage is None else f"{item.usage:f}",
            usage_unit=item.usage_unit,
            amount=Money.of(item.amount),
            detail_count=item.detail_count,
        )

    node_loader = bill_item_loader
    loader_key = _item_key

    @classmethod
    def node_of(cls, record: Any) -> Any:
        return cls.of(*record)


@strawberry.type(name="PartnerBillItemConnection")
class PartnerBillItemConnection(relay.Connection[PartnerBillItemNode]):
    pass


@strawberry.type(description="A credit (negative) or debit (positive) applied to a bill.")
class PartnerBillAdjustment:
    id: str
    amount: Money
    reason: str
    created_at: datetime

    @classmethod
    def of(cls, adjustment: Adjustment) -> PartnerBillAdjustment:
        return cls(
            id=adjustment.adjustment_id,
            amount=Money.of(adjustment.amount),
            reason=adjustment.reason,
            created_at=from_iso(adjustment.created_at),
        )


@strawberry.type(
    name="PartnerBill",
    description="The partner's bill of one month (Beijing "
    "time), rolled up from its reseller customers' consumption details.",
)
class PartnerBillNode(LoadedNode, relay.Node):
    bill_id: relay.NodeID[str]
    bill: strawberry.Private[Bill]
    # Plain fields (read from the record, no resolver per row), filled by `of`.
    month: str = strawberry.field(description="YYYY-MM, Beijing time.")
    status: PartnerBillStatus
    consumption_total: Money = strawberry.field(
        description="The exact sum of the consumption details covered."
    )
    adjustment_total: Money
    amount_due: Money = strawberry.field(description="consumptionTotal + adjustmentTotal.")
    detail_count: int = strawberry.field(description="Consumption details the bill covers.")
    item_count: int
    customer_count: int
    data_as_of: datetime = strawberry.field(
        description="R12: the bill covers consumption up to this instant "
        "(24:00 Beijing time of the day before generation)."
    )
    generated_at: datetime
    confirmed_at: datetime | None
    paid_at: datetime | None
    payment_reference: str | None

    @classmethod
    def of(cls, bill: Bill) -> PartnerBillNode:
        return cls(
            bill_id=scoped(bill.partner_id, bill.bill_id),
            bill=bill,
            month=str(bill.month),
            status=bill.status,
            consumption_total=Money.of(bill.consumption_total),
            adjustment_total=Money.of(bill.adjustment_total),
            amount_due=Money.of(bill.amount_due),
            detail_count=bill.detail_count,
            item_count=bill.item_count,
            customer_count=bill.customer_count,
            data_as_of=from_iso(bill.data_as_of),
            generated_at=from_iso(bill.generated_at),
            confirmed_at=from_iso_or_none(bill.confirmed_at),
            paid_at=from_iso_or_none(bill.paid_at),
            payment_reference=bill.payment_reference,
        )

    @strawberry.field(description="Items by customer, product and billing mode.")
    async def items(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> PartnerBillItemConnection:
        page = page_request(first, after, f"bill-item-{self.bill.bill_id}")
        after_seq = None
        if page.after is not None:
            if not page.after.isdigit():
                raise BadInput("after is not a cursor from this connection", field="after")
            after_seq = int(page.after)
        found, has_next = await service.bill_items(
            info.context.principal, self.bill, after_seq=after_seq, limit=page.size
        )
        nodes = [PartnerBillItemNode.of(self.bill, item) for item in found]
        return build_connection(
            PartnerBillItemConnection,
            nodes,
            has_next,
            f"bill-item-{self.bill.bill_id}",
            lambda n: str(n.item.seq),
            after,
        )

    @strawberry.field
    async def adjustments(self, info: Info) -> list[PartnerBillAdjustment]:
        found = await service.bill_adjustments(info.context.principal, self.bill)
        return [PartnerBillAdjustment.of(a) for a in found]

    node_loader = bill_loader
    loader_key = split


@strawberry.type(name="PartnerBillConnection")
class PartnerBillConnection(relay.Connection[PartnerBillNode]):
    pass


@strawberry.type(description="A month's bill, or why there is none to show yet (R11, R12).")
class PartnerBillMonth:
    month: str
    availability: PartnerBillAvailability
    message: str
    due_at: datetime = strawberry.field(
        description="12:00 Beijing time on the 5th of the following month (R11)."
    )
    bill: PartnerBillNode | None = strawberry.field(
        description="Null unless availability is AVAILABLE: never a partial bill."
    )


@strawberry.type
class PartnerBillPayload(Payload):
    bill: PartnerBillNode | None = None


@strawberry.type
class AdjustPartnerBillPayload(Payload):
    bill: PartnerBillNode | None = None
    adjustment: PartnerBillAdjustment | None = None
