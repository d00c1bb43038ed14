"""A month's consumption details rolled up into bill line items (R10, R12, R4).

Only **reseller** customers' consumption is on the partner's bill: advisory customers
pay the provider themselves. Items are by customer, product and billing mode; every
amount is the exact Decimal sum of the details it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from partner_center.bills.exact import sums

RESELLER = "reseller"
ADVISORY = "advisory"
ASSOCIATIONS = frozenset({RESELLER, ADVISORY})


class BillingDataError(Exception):
    """Data a bill cannot be built from; the message carries IDs only."""


class Detail(Protocol):
    line_id: str
    customer_id: str
    customer_name: str
    product: str
    billing_mode: str
    usage: Decimal
    usage_unit: str
    amount: Decimal
    charged_at: str


@dataclass(frozen=True)
class ItemDraft:
    customer_id: str
    customer_name: str
    product: str
    billing_mode: str
    usage: Decimal | None  # None when the details mix units
    usage_unit: str | None
    amount: Decimal
    detail_count: int


@dataclass
class _Group:
    amount: Decimal = Decimal(0)
    usage: Decimal = Decimal(0)
    units: set[str] = field(default_factory=set)
    count: int = 0


@dataclass(frozen=True)
class Rollup:
    items: list[ItemDraft]
    total: Decimal
    detail_count: int
    customer_count: int
    advisory_detail_count: int  # details seen but not billed to the partner


def roll_up(details: Iterable[Detail], associations: Mapping[str, str]) -> Rollup:
    """`associations`: customer ID -> "reseller" | "advisory" for the partner's customers.

    A detail of a customer the partner does not have, or with an unknown association,
    stops the bill: billing it or leaving it out would both be a guess about money.
    """
    groups: dict[tuple[str, str, str], _Group] = {}
    names: dict[str, tuple[str, str]] = {}  # customer -> (charged_at, name): latest wins
    advisory = 0
    with sums():
        total = Decimal(0)
        count = 0
        for detail in details:
            association = associations.get(detail.customer_id)
            if association not in ASSOCIATIONS:
                raise BillingDataError(
                    f"consumption detail {detail.line_id} names customer "
                    f"{detail.customer_id}, which has no known association"
                )
            if association != RESELLER:
                advisory += 1
                continue
            if not isinstance(detail.amount, Decimal):
                raise BillingDataError(
                    f"consumption detail {detail.line_id} has a non-Decimal amount"
                )
            group = groups.setdefault(
                (detail.customer_id, detail.product, detail.billing_mode), _Group()
            )
            group.amount += detail.amount
            group.usage += detail.usage
            group.units.add(detail.usage_unit)
            group.count += 1
            total += detail.amount
            count += 1
            seen = names.get(detail.customer_id)
            if seen is None or detail.charged_at >= seen[0]:
                names[detail.customer_id] = (detail.charged_at, detail.customer_name)
    items = []
    for (customer_id, product, mode), group in sorted(groups.items()):
        single_unit = len(group.units) == 1
        items.append(
            ItemDraft(
                customer_id=customer_id,
                customer_name=names[customer_id][1],
                product=product,
                billing_mode=mode,
                usage=group.usage if single_unit else None,
                usage_unit=next(iter(group.units)) if single_unit else None,
                amount=group.amount,
                detail_count=group.count,
            )
        )
    return Rollup(
        items=items,
        total=total,
        detail_count=count,
        customer_count=len(names),
        advisory_detail_count=advisory,
    )
