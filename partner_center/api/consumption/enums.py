"""The consumption area's enums, under their GraphQL names."""

from __future__ import annotations

import enum
from typing import TypeAlias

import strawberry

from partner_center.consumption.summary import Status

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(
    Status,
    name="SummaryStatus",
    description=(
        "AVAILABLE: every day of the period is counted. PARTIAL: the amount covers the "
        "period up to throughDate. PENDING: closed (R3) but not rolled up yet. "
        "NOT_YET_AVAILABLE: R3, a day is shown only after 24:00 of the next day (Beijing)."
    ),
)
SummaryStatus: TypeAlias = Status


@strawberry.enum
class AdjustmentType(enum.Enum):
    CREDIT = "credit"
    DEBIT = "debit"
