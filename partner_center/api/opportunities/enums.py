"""The opportunities area's enums, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.incentives.opportunities import OpportunityStatus, TransactionMethod

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(OpportunityStatus, name="OpportunityStatus")
OpportunityStatusEnum: TypeAlias = OpportunityStatus
strawberry.enum(
    TransactionMethod,
    name="TransactionMethod",
    description="How a deal was transacted; this alone decides whether it counts toward GMV.",
)
TransactionMethodEnum: TypeAlias = TransactionMethod
