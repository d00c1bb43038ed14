"""The incentives area's enums, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.incentives.programs import Program
from partner_center.incentives.records import ApplicationStatus, Sign
from partner_center.incentives.statuses import Actor, Status

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(
    Status,
    name="IncentiveStatus",
    description=(
        "Reconciliation status (R14): ESTIMATED → PENDING_CONFIRMATION → DISBURSING → "
        "DISBURSED; EXPIRED when validity ended first (R20), for good."
    ),
)
IncentiveStatus: TypeAlias = Status
strawberry.enum(Sign, name="IncentiveSign")
IncentiveSign: TypeAlias = Sign
strawberry.enum(Program, name="PartnerProgram")
PartnerProgram: TypeAlias = Program
strawberry.enum(Actor, name="IncentiveActor")
IncentiveActor: TypeAlias = Actor
strawberry.enum(ApplicationStatus, name="IncentiveApplicationStatus")
IncentiveApplicationStatus: TypeAlias = ApplicationStatus
