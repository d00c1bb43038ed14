"""A consumption figure of a day or a month, as R3 lets it be shown.

In the customers area: a customer's month consumption is one, and the consumption
area, which builds on customers (R5's scope), shows its summaries with it.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from partner_center.api.core.money import Money
from partner_center.api.customers.enums import SummaryStatus
from partner_center.consumption.summary import Figure


@strawberry.type(
    description="The consumption of one day or month (Beijing dates). The "
    "amount is null until some of the period is available: "
    "never a zero that only means 'not yet'."
)
class ConsumptionFigure:
    # Plain fields, filled once from the figure: strawberry resolves them straight from
    # the attribute, without a resolver call per field and row of a page.
    period: str = strawberry.field(description="YYYY-MM-DD for a day, YYYY-MM for a month.")
    first_date: date
    last_date: date
    status: SummaryStatus
    amount: Money | None
    through_date: date | None = strawberry.field(description="The last day the amount covers.")
    available_at: datetime = strawberry.field(
        description="When the whole period becomes visible (R3): 24:00 of "
        "the day after its last day, Beijing time."
    )

    @classmethod
    def of(cls, figure: Figure) -> ConsumptionFigure:
        return cls(
            period=figure.period,
            first_date=figure.first,
            last_date=figure.last,
            status=figure.status,
            amount=None if figure.amount is None else Money.of(figure.amount),
            through_date=figure.through,
            available_at=figure.available_at,
        )
