"""Partner bills (Sales > Billing): `partnerBill`, `partnerBills`, and their changes.

A bill's customer names are shown masked: they are customers-menu data, and the billing
menu alone does not open it (R1); the `customer` ID resolves to the full customer for
callers who hold that menu.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import partner_of, scoped, scoped_id_of, split
from partner_center.api.core.money import Money
from partner_center.api.core.mutations import Outcome, refused, run_mutation
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.bills import service
from partner_center.bills.bill import Adjustment, Bill, BillItem, BillStatus
from partner_center.bills.timing import Availability
from partner_center.core.anonymize import mask_name
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.core.errors import BadInput, Forbidden
from partner_center.core.permissions import target_partner

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(BillStatus, name="PartnerBillStatus", description="generated → confirmed → paid.")
PartnerBillStatus: TypeAlias = BillStatus
strawberry.enum(
    Availability,
    name="PartnerBillAvailability",
    description="Whether a month's bill can be shown, and if not, why.",
)
PartnerBillAvailability: TypeAlias = Availability


@strawberry.type(
    name="PartnerBillItem",
    description="One line of a partner bill: a "
    "customer's consumption of one product in one billing mode.",
)
class PartnerBillItemNode(relay.Node):
    item_id: relay.NodeID[str]
    item: strawberry.Private[BillItem]

    @classmethod
    def of(cls, bill: Bill, item: BillItem) -> PartnerBillItemNode:
        return cls(item_id=scoped(bill.partner_id, f"{bill.bill_id}:{item.seq}"), item=item)

    @strawberry.field
    def seq(self) -> int:
        return self.item.seq

    @strawberry.field(description="The customer (resolvable with the customers menu).")
    def customer(self) -> relay.GlobalID:
        return relay.GlobalID("Customer", self.item.customer_id)

    @strawberry.field(description="The customer's name as on its consumption details, masked.")
    def customer_name(self) -> str:
        return mask_name(self.item.customer_name)

    @strawberry.field
    def product(self) -> str:
        return self.item.product

    @strawberry.field
    def billing_mode(self) -> str:
        return self.item.billing_mode

    @strawberry.field(
        description="Total usage, as a decimal string; null when the details mix units."
    )
    def usage(self) -> str | None:
        return None if self.item.usage is None else f"{self.item.usage:f}"

    @strawberry.field
    def usage_unit(self) -> str | None:
        return self.item.usage_unit

    @strawberry.field(description="The exact sum of the details this item covers.")
    def amount(self) -> Money:
        return Money.of(self.item.amount)

    @strawberry.field(description="How many consumption details this item covers.")
    def detail_count(self) -> int:
        return self.item.detail_count

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            partner_id, local = split(node_id) or ("", "")
            bill_id, _, seq = local.partition(":")
            found = None
            if seq.isdigit():
                bill = await _visible_bill(info, partner_id, bill_id)
                if bill is not None:
                    items, _ = await service.bill_items(
                        info.context.principal, bill, after_seq=int(seq) - 1, limit=1
                    )
                    if items and items[0].seq == int(seq):
                        found = cls.of(bill, items[0])
            results.append(found)
        return results


@strawberry.type(name="PartnerBillItemConnection")
class PartnerBillItemConnection(relay.Connection[PartnerBillItemNode]):
    pass


@strawberry.type(description="A credit (negative) or debit (positive) applied to a bill.")
class PartnerBillAdjustment:
    adjustment: strawberry.Private[Adjustment]

    @strawberry.field
    def id(self) -> str:
        return self.adjustment.adjustment_id

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.adjustment.amount)

    @strawberry.field
    def reason(self) -> str:
        return self.adjustment.reason

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.adjustment.created_at)


@strawberry.type(
    name="PartnerBill",
    description="The partner's bill of one month (Beijing "
    "time), rolled up from its reseller customers' consumption details.",
)
class PartnerBillNode(relay.Node):
    bill_id: relay.NodeID[str]
    bill: strawberry.Private[Bill]

    @classmethod
    def of(cls, bill: Bill) -> PartnerBillNode:
        return cls(bill_id=scoped(bill.partner_id, bill.bill_id), bill=bill)

    @strawberry.field(description="YYYY-MM, Beijing time.")
    def month(self) -> str:
        return str(self.bill.month)

    @strawberry.field
    def status(self) -> PartnerBillStatus:
        return self.bill.status

    @strawberry.field(description="The exact sum of the consumption details covered.")
    def consumption_total(self) -> Money:
        return Money.of(self.bill.consumption_total)

    @strawberry.field
    def adjustment_total(self) -> Money:
        return Money.of(self.bill.adjustment_total)

    @strawberry.field(description="consumptionTotal + adjustmentTotal.")
    def amount_due(self) -> Money:
        return Money.of(self.bill.amount_due)

    @strawberry.field(description="Consumption details the bill covers.")
    def detail_count(self) -> int:
        return self.bill.detail_count

    @strawberry.field
    def item_count(self) -> int:
        return self.bill.item_count

    @strawberry.field
    def customer_count(self) -> int:
        return self.bill.customer_count

    @strawberry.field(
        description="R12: the bill covers consumption up to this instant "
        "(24:00 Beijing time of the day before generation)."
    )
    def data_as_of(self) -> datetime:
        return from_iso(self.bill.data_as_of)

    @strawberry.field
    def generated_at(self) -> datetime:
        return from_iso(self.bill.generated_at)

    @strawberry.field
    def confirmed_at(self) -> datetime | None:
        return from_iso_or_none(self.bill.confirmed_at)

    @strawberry.field
    def paid_at(self) -> datetime | None:
        return from_iso_or_none(self.bill.paid_at)

    @strawberry.field
    def payment_reference(self) -> str | None:
        return self.bill.payment_reference

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
        return [PartnerBillAdjustment(adjustment=a) for a in found]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            partner_id, bill_id = split(node_id) or ("", "")
            bill = await _visible_bill(info, partner_id, bill_id)
            results.append(cls.of(bill) if bill else None)
        return results


async def _visible_bill(info: Info, partner_id: str, bill_id: str) -> Bill | None:
    try:
        return await service.get_bill(info.context.principal, partner_id, bill_id)
    except Forbidden:
        return None  # `node` answers null rather than confirm the bill exists


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


async def partner_bill(
    info: Info, month: str, partner_id: relay.GlobalID | None = None
) -> PartnerBillMonth:
    principal = info.context.principal
    target = target_partner(principal, partner_of(partner_id))
    view = await service.month_view(principal, target, month)
    state = view.state
    return PartnerBillMonth(
        month=str(state.month),
        availability=state.availability,
        message=state.message,
        due_at=state.due_at,
        bill=PartnerBillNode.of(view.bill) if view.bill else None,
    )


async def partner_bills(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    partner_id: relay.GlobalID | None = None,
) -> PartnerBillConnection:
    principal = info.context.principal
    target = target_partner(principal, partner_of(partner_id))
    page = page_request(first, after, f"bill-{target}")
    found, has_next = await service.list_bills(principal, target, after=page.after, limit=page.size)
    return build_connection(
        PartnerBillConnection,
        [PartnerBillNode.of(b) for b in found],
        has_next,
        f"bill-{target}",
        lambda n: n.bill.bill_id,
        after,
    )


# -- mutations ------------------------------------------------------------------------------


@strawberry.type
class PartnerBillPayload:
    bill: PartnerBillNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AdjustPartnerBillPayload:
    bill: PartnerBillNode | None = None
    adjustment: PartnerBillAdjustment | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ConfirmPartnerBillInput:
    bill_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.input
class MarkPartnerBillPaidInput:
    bill_id: relay.GlobalID
    payment_reference: str = strawberry.field(description="The bank transfer's reference.")
    idempotency_key: str | None = None


@strawberry.input
class AdjustPartnerBillInput:
    bill_id: relay.GlobalID
    amount: str = strawberry.field(
        description="Decimal string: positive debits, negative credits, at most two decimals."
    )
    reason: str
    idempotency_key: str | None = None


async def _payload(info: Info, outcome: Outcome) -> PartnerBillPayload:
    partner_id, bill_id = (outcome.result or {}).get("partner"), (outcome.result or {}).get("bill")
    bill = None
    if partner_id and bill_id:
        bill = await service.get_bill(info.context.principal, partner_id, bill_id)
    return PartnerBillPayload(
        bill=PartnerBillNode.of(bill) if bill else None, errors=outcome.errors
    )


def _bill_id(gid: relay.GlobalID) -> tuple[str, str]:
    """(partner ID, month) of a PartnerBill ID."""
    return scoped_id_of(gid, "PartnerBill", "billId")


def _ids(bill: Bill) -> dict[str, str]:
    return {"partner": bill.partner_id, "bill": bill.bill_id}


async def confirm_partner_bill(info: Info, input: ConfirmPartnerBillInput) -> PartnerBillPayload:
    principal = info.context.principal
    try:
        partner_id, bill_id = _bill_id(input.bill_id)
    except BadInput as error:
        return await _payload(info, refused(error))

    async def action() -> dict[str, str]:
        return _ids(await service.confirm(principal, partner_id, bill_id))

    return await _payload(
        info,
        await run_mutation(
            principal,
            "confirmPartnerBill",
            input.idempotency_key,
            {"partner": partner_id, "bill": bill_id},
            action,
        ),
    )


async def mark_partner_bill_paid(info: Info, input: MarkPartnerBillPaidInput) -> PartnerBillPayload:
    principal = info.context.principal
    try:
        partner_id, bill_id = _bill_id(input.bill_id)
    except BadInput as error:
        return await _payload(info, refused(error))

    async def action() -> dict[str, str]:
        return _ids(
            await service.mark_paid(principal, partner_id, bill_id, input.payment_reference)
        )

    return await _payload(
        info,
        await run_mutation(
            principal,
            "markPartnerBillPaid",
            input.idempotency_key,
            {"partner": partner_id, "bill": bill_id, "reference": input.payment_reference},
            action,
        ),
    )


async def adjust_partner_bill(
    info: Info, input: AdjustPartnerBillInput
) -> AdjustPartnerBillPayload:
    principal = info.context.principal
    try:
        partner_id, bill_id = _bill_id(input.bill_id)
    except BadInput as error:
        return AdjustPartnerBillPayload(errors=refused(error).errors)

    async def action() -> dict[str, str]:
        bill, adjustment = await service.adjust(
            principal, partner_id, bill_id, input.amount, input.reason
        )
        return {**_ids(bill), "adjustment": adjustment.adjustment_id}

    outcome = await run_mutation(
        principal,
        "adjustPartnerBill",
        input.idempotency_key,
        {"partner": partner_id, "bill": bill_id, "amount": input.amount, "reason": input.reason},
        action,
    )
    payload = await _payload(info, outcome)
    adjustment = None
    if payload.bill is not None and "adjustment" in (outcome.result or {}):
        adjustment = next(
            (
                PartnerBillAdjustment(adjustment=a)
                for a in await service.bill_adjustments(principal, payload.bill.bill)
                if a.adjustment_id == (outcome.result or {})["adjustment"]
            ),
            None,
        )
    return AdjustPartnerBillPayload(bill=payload.bill, adjustment=adjustment, errors=outcome.errors)


@strawberry.type
class Query:
    partner_bill: PartnerBillMonth = access.query(
        "Query.partnerBill",
        partner_bill,
        "A month's partner bill (month: YYYY-MM, Beijing time), or why it is not there yet; "
        "the provider's operations name the partner (partnerId).",
    )
    partner_bills: PartnerBillConnection = access.query(
        "Query.partnerBills",
        partner_bills,
        "Generated partner bills, newest month first (the provider's operations: of partnerId).",
    )


@strawberry.type
class Mutation:
    confirm_partner_bill: PartnerBillPayload = access.mutation(
        "Mutation.confirmPartnerBill",
        confirm_partner_bill,
        "The partner agrees to a generated bill (generated → confirmed).",
    )
    adjust_partner_bill: AdjustPartnerBillPayload = access.mutation(
        "Mutation.adjustPartnerBill",
        adjust_partner_bill,
        "Credit or debit a generated bill; the amount due never goes below zero.",
    )
    mark_partner_bill_paid: PartnerBillPayload = access.mutation(
        "Mutation.markPartnerBillPaid",
        mark_partner_bill_paid,
        "Record the partner's repayment of a confirmed bill (confirmed → paid).",
    )
