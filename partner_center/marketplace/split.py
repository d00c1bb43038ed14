"""The revenue split (商品分账): an order's amount shared by publisher, provider and platform.

Exact to the cent, in integers: each party first gets its share rounded down to the
cent, then the cents left over (fewer than the number of parties) go one each to the
parties with the largest remainders, ties going to the publisher, then the provider,
then the platform (the largest-remainder method). So:

- the parts always sum to the order amount, and none is negative;
- each part is within one cent of its exact share, and a party with 0 % gets nothing;
- the result does not depend on the order in which anything is computed.

An order no share link attributes has no provider: the provider's percentage goes to
the platform (nobody referred the sale).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from partner_center.core.errors import BadInput

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Far above any order; keeps every amount within Decimal's default 28 digits.
MAX_AMOUNT = Decimal("1000000000000")
# Percentages carry at most two decimals: weights in hundredths of a percent sum to this.
_WEIGHT_TOTAL = 100 * 100


class Party(enum.StrEnum):
    PUBLISHER = "publisher"
    PROVIDER = "provider"
    PLATFORM = "platform"


_TIE_ORDER = (Party.PUBLISHER, Party.PROVIDER, Party.PLATFORM)


def _has_cents_at_most(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and (exponent >= -2 or value == value.quantize(CENT))


@dataclass(frozen=True)
class SplitRule:
    """Percentages of the order amount, each 0–100 with at most two decimals, summing
    to exactly 100."""

    publisher: Decimal
    provider: Decimal
    platform: Decimal

    def percents(self) -> dict[Party, Decimal]:
        return {
            Party.PUBLISHER: self.publisher,
            Party.PROVIDER: self.provider,
            Party.PLATFORM: self.platform,
        }

    def validate(self) -> SplitRule:
        for party, percent in self.percents().items():
            if not isinstance(percent, Decimal) or not percent.is_finite():
                raise BadInput(
                    f"the {party.value} percentage must be a decimal", field=f"{party.value}Percent"
                )
            if percent < 0 or percent > HUNDRED or not _has_cents_at_most(percent):
                raise BadInput(
                    f"the {party.value} percentage must be 0 to 100 with at most two decimals",
                    field=f"{party.value}Percent",
                )
        if sum(self.percents().values()) != HUNDRED:
            raise BadInput("the split percentages must sum to exactly 100", field="splitRule")
        return self

    def without_provider(self) -> SplitRule:
        """The rule for an unattributed order: the provider's share is the platform's."""
        return SplitRule(
            publisher=self.publisher, provider=Decimal(0), platform=self.platform + self.provider
        )


@dataclass(frozen=True)
class Split:
    publisher: Decimal
    provider: Decimal
    platform: Decimal

    @property
    def total(self) -> Decimal:
        return self.publisher + self.provider + self.platform


def to_cents(amount: Decimal) -> int:
    """An amount as whole cents; refuses fractions of a cent and negatives."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise BadInput("an amount must be a finite decimal", field="amount")
    if amount < 0 or amount > MAX_AMOUNT or not _has_cents_at_most(amount):
        raise BadInput("an amount must be 0 to 10^12 with at most two decimals", field="amount")
    return int(amount.quantize(CENT) * 100)


def split(amount: Decimal, rule: SplitRule) -> Split:
    rule.validate()
    cents = to_cents(amount)
    weights = {party: int(percent * 100) for party, percent in rule.percents().items()}
    floors = {party: cents * weight // _WEIGHT_TOTAL for party, weight in weights.items()}
    remainders = {party: cents * weight % _WEIGHT_TOTAL for party, weight in weights.items()}
    left_over = cents - sum(floors.values())
    # Largest remainder first; ties in the fixed order above. left_over < 3, and every
    # party that receives a cent had a non-zero remainder (see the module docstring).
    ranked = sorted(_TIE_ORDER, key=lambda p: (-remainders[p], _TIE_ORDER.index(p)))
    for party in ranked[:left_over]:
        floors[party] += 1
    parts = {party: (Decimal(value) / 100).quantize(CENT) for party, value in floors.items()}
    return Split(
        publisher=parts[Party.PUBLISHER],
        provider=parts[Party.PROVIDER],
        platform=parts[Party.PLATFORM],
    )
