"""The `Opportunity` node, its deal and connection, and the GMV figure (R21)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.opportunities.enums import OpportunityStatusEnum, TransactionMethodEnum
from partner_center.api.opportunities.loaders import opportunity_loader
from partner_center.incentives.opportunities import Deal, Gmv, Opportunity, counts_toward_gmv


@strawberry.type(name="OpportunityTransaction")
class OpportunityTransaction:
    method: TransactionMethodEnum
    amount: Money
    transacted_on: date = strawberry.field(description="Beijing date.")
    counts_toward_gmv: bool = strawberry.field(
        description="R21: decided by the transaction method only."
    )

    @classmethod
    def of(cls, deal: Deal) -> OpportunityTransaction:
        return cls(
            method=deal.method,
            amount=Money.of(deal.amount),
            transacted_on=deal.transacted_on,
            counts_toward_gmv=counts_toward_gmv(deal),
        )


@strawberry.type(name="Opportunity", description="An opportunity (商机) shared with the partner.")
class OpportunityNode(LoadedNode, relay.Node):
    opportunity_id: relay.NodeID[str]
    title: str
    customer_name: str
    status: OpportunityStatusEnum
    shared_via_pce: bool = strawberry.field(
        description="Whether it came through the opportunity-sharing flow "
        "(PCE). Never a factor of GMV (R21)."
    )
    shared_on: date
    estimated_amount: Money | None
    transaction: OpportunityTransaction | None = strawberry.field(
        description="The deal, once transacted."
    )

    @classmethod
    def of(cls, opportunity: Opportunity) -> OpportunityNode:
        amount, deal = opportunity.estimated_amount, opportunity.deal
        return cls(
            opportunity_id=opportunity.opportunity_id,
            title=opportunity.title,
            customer_name=opportunity.customer_name,
            status=opportunity.status,
            shared_via_pce=opportunity.shared_via_pce,
            shared_on=opportunity.shared_on,
            estimated_amount=Money.of(amount) if amount is not None else None,
            transaction=OpportunityTransaction.of(deal) if deal else None,
        )

    node_loader = opportunity_loader


@strawberry.type(name="OpportunityConnection")
class OpportunityConnection(relay.Connection[OpportunityNode]):
    pass


@strawberry.type(name="GmvByMethod")
class GmvByMethod:
    method: TransactionMethodEnum
    counts_toward_gmv: bool
    amount: Money
    deal_count: int


@strawberry.type(
    name="Gmv",
    description="GMV of a month (R21): the deals transacted in it whose transaction method counts.",
)
class GmvFigure:
    period: str
    amount: Money
    deal_count: int
    by_method: list[GmvByMethod]

    @classmethod
    def of(cls, figure: Gmv) -> GmvFigure:
        return cls(
            period=figure.period,
            amount=Money.of(figure.amount),
            deal_count=figure.deals,
            by_method=[
                GmvByMethod(
                    method=f.method,
                    counts_toward_gmv=f.counts,
                    amount=Money.of(f.amount),
                    deal_count=f.deals,
                )
                for f in figure.by_method
            ],
        )
