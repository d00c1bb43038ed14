"""Money in the API: an exact decimal string and its currency (never a float)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from partner_center.core.money import CURRENCY, format_amount


@strawberry.type(
    description="An exact amount: a decimal string (at least two decimals) "
    "and its ISO 4217 currency."
)
class Money:
    amount: str
    currency: str

    @classmethod
    def of(cls, value: Decimal, currency: str = CURRENCY) -> Money:
        return cls(amount=format_amount(value), currency=currency)
