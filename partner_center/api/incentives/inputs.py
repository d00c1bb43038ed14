"""The incentives area's inputs, and the functions that read them as domain values."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.core.ids import node_id_of
from partner_center.api.incentives.enums import IncentiveSign, IncentiveStatus, PartnerProgram
from partner_center.incentives import service


def incentive_ids(global_ids: list[relay.GlobalID], field: str) -> list[str]:
    return [node_id_of(g, "Incentive", field) for g in global_ids]


@strawberry.input(
    description="Filters of `incentives` and `incentiveTotals`; all optional, all must hold."
)
class IncentiveFilter:
    statuses: list[IncentiveStatus] | None = None
    sign: IncentiveSign | None = None
    period: str | None = strawberry.field(default=None, description="A month, YYYY-MM.")
    program: PartnerProgram | None = None
    expiring_before: date | None = strawberry.field(
        default=None,
        description="Positive incentives not applied for whose validUntil is "
        "before this Beijing date (including any the daily expiry "
        "has not recorded yet).",
    )

    def resolve(self) -> service.IncentiveFilter:
        return service.IncentiveFilter(
            statuses=frozenset(self.statuses) if self.statuses is not None else None,
            sign=self.sign,
            period=self.period,
            program=self.program,
            expiring_before=self.expiring_before,
        )


@strawberry.input
class ApplyForIncentiveDisbursementInput:
    positive_incentive_ids: list[relay.GlobalID] = strawberry.field(
        description="The positive incentives chosen (R15)."
    )
    negative_incentive_ids: list[relay.GlobalID] = strawberry.field(
        description="Every negative incentive the preview lists: leaving one out is refused "
        "(NEGATIVE_INCENTIVE_DESELECTED), never completed silently."
    )
    idempotency_key: str | None = None


@strawberry.input
class ApproveIncentiveApplicationInput:
    application_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.input
class NotifyIncentiveDisbursementInput:
    incentive_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 100 estimated incentives."
    )
    idempotency_key: str | None = None


@strawberry.input
class RecordProgramMembershipInput:
    partner_id: relay.GlobalID
    program: PartnerProgram
    joined_on: date | None = strawberry.field(
        default=None,
        description="Left out: the day on record is kept (required the first "
        "time a partner joins).",
    )
    lapsed_on: date | None = strawberry.field(
        default=None,
        description="The Beijing day the partner's identity in the program "
        "lapsed; null while it is a member (clears a lapse recorded before).",
    )
    idempotency_key: str | None = None
