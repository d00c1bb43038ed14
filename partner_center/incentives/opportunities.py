"""Opportunities shared with a partner, and the GMV figure (R21).

An opportunity (商机) travels through the opportunity-sharing flow (PCE): circulated,
distributed, confirmed, closed. Whether a deal counts toward the partner's GMV depends on
how it was transacted, never on whether it passed through sharing: `gmv` reads
transactions only, and a `Deal` has no sharing flag to read.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from partner_center.incentives.models import OpportunityItem


class OpportunityStatus(enum.StrEnum):
    CIRCULATED = "circulated"  # 流转中
    DISTRIBUTED = "distributed"  # 已分发
    CONFIRMED = "confirmed"  # 已确认
    CLOSED = "closed"  # 已关闭


class TransactionMethod(enum.StrEnum):
    RESELLER = "reseller"  # 代售: the partner resold it and bills the customer
    ADVISORY = "advisory"  # 顾问销售: the customer paid the provider, the partner advised
    MARKETPLACE = "marketplace"  # ordered in the marketplace through the partner's link
    PROVIDER_DIRECT = "provider_direct"  # the provider sold it without the partner


# R21: the one place that says which transactions count toward a partner's GMV.
COUNTS_TOWARD_GMV: dict[TransactionMethod, bool] = {
    TransactionMethod.RESELLER: True,
    TransactionMethod.ADVISORY: True,
    TransactionMethod.MARKETPLACE: True,
    TransactionMethod.PROVIDER_DIRECT: False,
}


@dataclass(frozen=True)
class Deal:
    """A transaction: how, how much, when. Deliberately nothing about sharing."""

    method: TransactionMethod
    amount: Decimal
    transacted_on: date  # Beijing date

    @property
    def period(self) -> str:
        return f"{self.transacted_on:%Y-%m}"


@dataclass(frozen=True)
class Opportunity:
    partner_id: str
    opportunity_id: str
    title: str
    customer_name: str
    status: OpportunityStatus
    shared_via_pce: bool
    estimated_amount: Decimal | None
    shared_on: date
    deal: Deal | None

    @classmethod
    def from_item(cls, item: OpportunityItem) -> Opportunity:
        deal = None
        if item.transaction_method and item.deal_amount is not None and item.transacted_on:
            deal = Deal(
                method=TransactionMethod(item.transaction_method),
                amount=item.deal_amount,
                transacted_on=date.fromisoformat(item.transacted_on),
            )
        return cls(
            partner_id=item.partner_id,
            opportunity_id=item.opportunity_id,
            title=item.title,
            customer_name=item.customer_name,
            status=OpportunityStatus(item.status),
            shared_via_pce=item.shared_via_pce,
            estimated_amount=item.estimated_amount,
            shared_on=date.fromisoformat(item.shared_on),
            deal=deal,
        )


@dataclass(frozen=True)
class MethodFigure:
    method: TransactionMethod
    counts: bool
    amount: Decimal
    deals: int


@dataclass(frozen=True)
class Gmv:
    period: str
    amount: Decimal
    deals: int
    by_method: tuple[MethodFigure, ...]


def counts_toward_gmv(deal: Deal) -> bool:
    return COUNTS_TOWARD_GMV[deal.method]


def gmv(deals: Iterable[Deal], period: str) -> Gmv:
    """R21: the GMV of a month (YYYY-MM, Beijing): the deals transacted in it whose
    transaction method counts; the others are shown by method, not added."""
    amounts = dict.fromkeys(TransactionMethod, Decimal(0))
    numbers = dict.fromkeys(TransactionMethod, 0)
    for deal in deals:
        if deal.period != period:
            continue
        amounts[deal.method] += deal.amount
        numbers[deal.method] += 1
    by_method = tuple(
        MethodFigure(method=m, counts=COUNTS_TOWARD_GMV[m], amount=amounts[m], deals=numbers[m])
        for m in TransactionMethod
    )
    counted = [f for f in by_method if f.counts]
    return Gmv(
        period=period,
        amount=sum((f.amount for f in counted), Decimal(0)),
        deals=sum(f.deals for f in counted),
        by_method=by_method,
    )
