"""A consumption figure of a day or a month, as R3 lets it be shown."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from partner_center.api.types.money import Money
from partner_center.consumption.summary import Figure, Status

SummaryStatus = strawberry.enum(
    Status,
    name="SummaryStatus",
    description=(
        "AVAILABLE: every day of the period is counted. PARTIAL: the amount covers the "
        "period up to throughDate. PENDING: closed (R3) but not rolled up yet. "
        "NOT_YET_AVAILABLE: R3, a day is shown only after 24:00 of the next day (Beijing)."
    ),
)


@strawberry.type(
    description="The consumption of one day or month (Beijing dates). The "
    "amount is null until some of the period is available: "
    "never a zero that only means 'not yet'."
)
class ConsumptionFigure:
    figure: strawberry.Private[Figure]

    @strawberry.field(description="YYYY-MM-DD for a day, YYYY-MM for a month.")
    def period(self) -> str:
        return self.figure.period

    @strawberry.field
    def first_date(self) -> date:
        return self.figure.first

    @strawberry.field
    def last_date(self) -> date:
        return self.figure.last

    @strawberry.field
    def status(self) -> SummaryStatus:  # type: ignore[valid-type]
        return self.figure.status

    @strawberry.field
    def amount(self) -> Money | None:
        return None if self.figure.amount is None else Money.of(self.figure.amount)

    @strawberry.field(description="The last day the amount covers.")
    def through_date(self) -> date | None:
        return self.figure.through

    @strawberry.field(
        description="When the whole period becomes visible (R3): 24:00 of "
        "the day after its last day, Beijing time."
    )
    def available_at(self) -> datetime:
        return self.figure.available_at
