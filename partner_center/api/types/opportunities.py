"""Opportunities shared with the partner, and the GMV figure per month (R21)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.money import Money
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.incentives import opportunity_service as service
from partner_center.incentives.opportunities import (
    Deal,
    Opportunity,
    OpportunityStatus,
    TransactionMethod,
    counts_toward_gmv,
)

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


@strawberry.type(name="OpportunityTransaction")
class OpportunityTransaction:
    deal: strawberry.Private[Deal]

    @strawberry.field
    def method(self) -> TransactionMethodEnum:
        return self.deal.method

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.deal.amount)

    @strawberry.field(description="Beijing date.")
    def transacted_on(self) -> date:
        return self.deal.transacted_on

    @strawberry.field(description="R21: decided by the transaction method only.")
    def counts_toward_gmv(self) -> bool:
        return counts_toward_gmv(self.deal)


@strawberry.type(name="Opportunity", description="An opportunity (商机) shared with the partner.")
class OpportunityNode(relay.Node):
    opportunity_id: relay.NodeID[str]
    opportunity: strawberry.Private[Opportunity]

    @classmethod
    def of(cls, opportunity: Opportunity) -> OpportunityNode:
        return cls(opportunity_id=opportunity.opportunity_id, opportunity=opportunity)

    @strawberry.field
    def title(self) -> str:
        return self.opportunity.title

    @strawberry.field
    def customer_name(self) -> str:
        return self.opportunity.customer_name

    @strawberry.field
    def status(self) -> OpportunityStatusEnum:
        return self.opportunity.status

    @strawberry.field(
        description="Whether it came through the opportunity-sharing flow "
        "(PCE). Never a factor of GMV (R21)."
    )
    def shared_via_pce(self) -> bool:
        return self.opportunity.shared_via_pce

    @strawberry.field
    def shared_on(self) -> date:
        return self.opportunity.shared_on

    @strawberry.field
    def estimated_amount(self) -> Money | None:
        amount = self.opportunity.estimated_amount
        return Money.of(amount) if amount is not None else None

    @strawberry.field(description="The deal, once transacted.")
    def transaction(self) -> OpportunityTransaction | None:
        deal = self.opportunity.deal
        return OpportunityTransaction(deal=deal) if deal else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            found = await asyncio.to_thread(
                service.get_opportunity, info.context.principal, node_id
            )
            results.append(cls.of(found) if found else None)
        return results


@strawberry.type(name="OpportunityConnection")
class OpportunityConnection(relay.Connection[OpportunityNode]):
    pass


@strawberry.input
class OpportunityFilter:
    statuses: list[OpportunityStatusEnum] | None = None


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


async def opportunities(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: OpportunityFilter | None = None,
) -> OpportunityConnection:
    page = page_request(first, after, "opportunity")
    statuses = filter.statuses if filter else None
    found, has_next = await asyncio.to_thread(
        service.list_opportunities,
        info.context.principal,
        statuses=frozenset(statuses) if statuses is not None else None,
        after_id=page.after,
        limit=page.size,
    )
    return build_connection(
        OpportunityConnection,
        [OpportunityNode.of(o) for o in found],
        has_next,
        "opportunity",
        lambda n: n.opportunity_id,
        after,
    )


async def gmv(info: Info, period: str) -> GmvFigure:
    figure = await asyncio.to_thread(service.period_gmv, info.context.principal, period)
    return GmvFigure(
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


@strawberry.type
class Query:
    opportunities: OpportunityConnection = access.query(
        "Query.opportunities", opportunities, "Opportunities shared with the partner, newest first."
    )
    gmv: GmvFigure = access.query(
        "Query.gmv", gmv, "GMV of a month (YYYY-MM, Beijing), by transaction method."
    )
