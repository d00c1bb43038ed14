"""The customers area's enums, under their GraphQL names."""

from __future__ import annotations

import enum
from typing import TypeAlias

import strawberry

from partner_center.consumption.summary import Status
from partner_center.customers import alerts


@strawberry.enum
class AssociationType(enum.Enum):
    RESELLER = "reseller"  # 代售: billed through the partner
    ADVISORY = "advisory"  # 顾问销售: pays the provider itself


@strawberry.enum
class AssignmentAction(enum.Enum):
    ASSIGN = "assign"
    REASSIGN = "reassign"
    UNASSIGN = "unassign"


@strawberry.enum
class CustomerOrderField(enum.Enum):
    CUSTOMER_ID = "customer_id"
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(alerts.AlertType, name="CustomerAlertType")
CustomerAlertType: TypeAlias = alerts.AlertType
strawberry.enum(alerts.Severity, name="AlertSeverity")
AlertSeverity: TypeAlias = alerts.Severity


# A consumption figure's status (R3); registered under its GraphQL name and used
# through an alias: a type checker takes no call's result as a type.
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
