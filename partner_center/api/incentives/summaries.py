"""What the incentives add up to: totals by status, the partner's program memberships
that bound their validity (R19), and the preview of an application (R15, R16)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.core.money import Money
from partner_center.api.core.payloads import UserError
from partner_center.api.incentives.enums import IncentiveStatus, PartnerProgram
from partner_center.api.incentives.types import IncentiveNode
from partner_center.incentives import service
from partner_center.incentives.application import Refusal
from partner_center.incentives.programs import Membership
from partner_center.incentives.validity import last_valid_day


def user_error(refusal: Refusal) -> UserError:
    """A business refusal of the incentives service, naming the incentive it concerns."""
    message = refusal.message
    if refusal.incentive_id:
        message += f" ({relay.GlobalID('Incentive', refusal.incentive_id)})"
    return UserError(code=refusal.code, field=refusal.field, message=message)


@strawberry.type(name="IncentiveStatusTotal")
class IncentiveStatusTotal:
    status: IncentiveStatus
    count: int
    amount: Money


@strawberry.type(name="IncentiveTotals", description="Sums over every matching incentive.")
class IncentiveTotals:
    count: int
    positive_total: Money
    negative_total: Money
    net_amount: Money
    by_status: list[IncentiveStatusTotal]

    @classmethod
    def of(cls, sums: service.Totals) -> IncentiveTotals:
        return cls(
            count=sums.count,
            positive_total=Money.of(sums.positive_total),
            negative_total=Money.of(sums.negative_total),
            net_amount=Money.of(sums.net_amount),
            by_status=[
                IncentiveStatusTotal(status=s, count=n, amount=Money.of(a))
                for s, (n, a) in sums.by_status.items()
            ],
        )


@strawberry.type(name="PartnerProgramMembership")
class PartnerProgramMembership:
    program: PartnerProgram
    joined_on: date | None
    lapsed_on: date | None = strawberry.field(
        description="The day the partner's identity in the program lapsed."
    )
    incentives_valid_until: date | None = strawberry.field(
        description="R19: the last day the program's positive incentives are "
        "valid; null while the partner is a member."
    )

    @classmethod
    def of(cls, membership: Membership) -> PartnerProgramMembership:
        return cls(
            program=membership.program,
            joined_on=membership.joined_on,
            lapsed_on=membership.lapsed_on,
            incentives_valid_until=last_valid_day(membership.lapsed_on),
        )


@strawberry.type(
    name="IncentiveApplicationPreview",
    description=(
        "What applying for the chosen positive incentives would do. Every negative incentive "
        "that can be applied for is included and cannot be deselected (R15); an application "
        "whose negatives exceed its positives is refused (R16)."
    ),
)
class IncentiveApplicationPreview:
    positives: list[IncentiveNode]
    negatives: list[IncentiveNode] = strawberry.field(
        description="Always included: list them all in `negativeIncentiveIds` when applying."
    )
    positive_total: Money
    negative_total: Money
    net_amount: Money
    shortfall: Money | None = strawberry.field(
        description="By how much the negatives exceed the chosen positives."
    )
    can_apply: bool
    errors: list[UserError]

    @classmethod
    def of(cls, preview: service.Preview) -> IncentiveApplicationPreview:
        decision, short = preview.decision, preview.decision.shortfall
        return cls(
            positives=[IncentiveNode.of(preview.view(i)) for i in decision.positives],
            negatives=[IncentiveNode.of(preview.view(i)) for i in decision.negatives],
            positive_total=Money.of(decision.positive_total),
            negative_total=Money.of(decision.negative_total),
            net_amount=Money.of(decision.net_amount),
            shortfall=Money.of(short) if short is not None else None,
            can_apply=decision.accepted,
            errors=[user_error(r) for r in decision.refusals],
        )
