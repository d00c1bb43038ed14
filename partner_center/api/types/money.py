"""`Money`: an exact amount as a decimal string, with its currency. Never a Float."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from partner_center.core.money import CURRENCY, format_amount


@strawberry.type(
    description="An exact amount of money: `amount` is a decimal string "
    "(two decimals at least), never a float."
)
class Money:
    amount: str
    currency: str

    @classmethod
    def of(cls, value: Decimal, currency: str = CURRENCY) -> Money:
        return cls(amount=format_amount(value), currency=currency)
