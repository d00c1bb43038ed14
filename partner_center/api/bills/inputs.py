"""The inputs of a bill's changes, and the bill ID they name."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api.core.ids import scoped_id_of


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


def bill_id_of(gid: relay.GlobalID) -> tuple[str, str]:
    """(partner ID, bill ID) of a PartnerBill ID."""
    return scoped_id_of(gid, "PartnerBill", "billId")
