"""The incentives mutations' payloads: what was changed, or why nothing was."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api.core.money import Money
from partner_center.api.core.payloads import Payload, UserError
from partner_center.api.incentives.summaries import PartnerProgramMembership
from partner_center.api.incentives.types import IncentiveApplicationNode, IncentiveNode


@strawberry.type
class ApplyForIncentiveDisbursementPayload(Payload):
    application: IncentiveApplicationNode | None = None
    shortfall: Money | None = strawberry.field(
        default=None,
        description="R16: by how much the negatives exceed the chosen "
        "positives, when that refused the application.",
    )


@strawberry.type
class ApproveIncentiveApplicationPayload(Payload):
    application: IncentiveApplicationNode | None = None


@strawberry.type(name="IncentiveNotifyResult")
class IncentiveNotifyResult:
    incentive_id: relay.GlobalID
    incentive: IncentiveNode | None
    error: UserError | None


@strawberry.type
class NotifyIncentiveDisbursementPayload(Payload):
    results: list[IncentiveNotifyResult] = strawberry.field(default_factory=list)


@strawberry.type
class RecordProgramMembershipPayload(Payload):
    membership: PartnerProgramMembership | None = None
