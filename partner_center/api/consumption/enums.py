"""The consumption area's enums, under their GraphQL names. (A figure's SummaryStatus
is the customers area's: a customer's month consumption is a figure.)"""

from __future__ import annotations

import enum

import strawberry


@strawberry.enum
class AdjustmentType(enum.Enum):
    CREDIT = "credit"
    DEBIT = "debit"
