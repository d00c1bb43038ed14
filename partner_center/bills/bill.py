"""The partner bill as the rest of the code sees it, and its status rules."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from partner_center.bills.models import BillRecord
from partner_center.bills.months import Month


class BillStatus(enum.StrEnum):
    GENERATED = "generated"  # computed; the partner checks it
    CONFIRMED = "confirmed"  # the partner agreed to it; it is final
    PAID = "paid"  # the provider received the repayment


# The only transitions: forward, one step at a time.
TRANSITIONS: dict[BillStatus, frozenset[BillStatus]] = {
    BillStatus.GENERATED: frozenset({BillStatus.CONFIRMED}),
    BillStatus.CONFIRMED: frozenset({BillStatus.PAID}),
    BillStatus.PAID: frozenset(),
}


def may_move(current: BillStatus, target: BillStatus) -> bool:
    return target in TRANSITIONS[current]


def may_adjust(current: BillStatus) -> bool:
    """Adjustments change what the partner is asked to agree to: only before it agrees."""
    return current is BillStatus.GENERATED


@dataclass(frozen=True)
class Bill:
    partner_id: str
    month: Month
    status: BillStatus
    generation_id: str
    consumption_total: Decimal
    adjustment_total: Decimal
    amount_due: Decimal
    detail_count: int
    item_count: int
    customer_count: int
    data_as_of: str
    generated_at: str
    confirmed_at: str | None
    confirmed_by: str | None
    paid_at: str | None
    payment_reference: str | None
    version: int

    @property
    def bill_id(self) -> str:
        """Deterministic: one bill per partner and month."""
        return str(self.month)

    @classmethod
    def from_record(cls, record: BillRecord) -> Bill:
        return cls(
            partner_id=record.partner_id,
            month=Month.parse(record.month),
            status=BillStatus(record.status),
            generation_id=record.generation_id or "",
            consumption_total=record.consumption_total or Decimal(0),
            adjustment_total=record.adjustment_total or Decimal(0),
            amount_due=record.amount_due or Decimal(0),
            detail_count=int(record.detail_count or 0),
            item_count=int(record.item_count or 0),
            customer_count=int(record.customer_count or 0),
            data_as_of=record.data_as_of or "",
            generated_at=record.generated_at or "",
            confirmed_at=record.confirmed_at,
            confirmed_by=record.confirmed_by,
            paid_at=record.paid_at,
            payment_reference=record.payment_reference,
            version=int(record.version or 0),
        )


@dataclass(frozen=True)
class BillItem:
    seq: int
    customer_id: str
    customer_name: str
    product: str
    billing_mode: str
    usage: Decimal | None
    usage_unit: str | None
    amount: Decimal
    detail_count: int

    @classmethod
    def from_record(cls, record: BillRecord) -> BillItem:
        return cls(
            seq=int(record.seq or 0),
            customer_id=record.customer_id or "",
            customer_name=record.customer_name or "",
            product=record.product or "",
            billing_mode=record.billing_mode or "",
            usage=record.usage,
            usage_unit=record.usage_unit,
            amount=record.amount or Decimal(0),
            detail_count=int(record.detail_count or 0),
        )


@dataclass(frozen=True)
class Adjustment:
    adjustment_id: str
    month: Month
    amount: Decimal  # positive: a debit (more to pay); negative: a credit
    reason: str
    created_by: str
    created_at: str

    @classmethod
    def from_record(cls, record: BillRecord) -> Adjustment:
        return cls(
            adjustment_id=record.adjustment_id or "",
            month=Month.parse(record.month),
            amount=record.amount or Decimal(0),
            reason=record.reason or "",
            created_by=record.created_by or "",
            created_at=record.created_at or "",
        )
