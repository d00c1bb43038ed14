"""The opportunities area's root queries."""

from __future__ import annotations

import asyncio

import strawberry

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.opportunities.inputs import OpportunityFilter, statuses_of
from partner_center.api.opportunities.types import GmvFigure, OpportunityConnection, OpportunityNode
from partner_center.incentives import opportunity_service as service


async def opportunities(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: OpportunityFilter | None = None,
) -> OpportunityConnection:
    page = page_request(first, after, "opportunity")
    found, has_next = await asyncio.to_thread(
        service.list_opportunities,
        info.context.principal,
        statuses=statuses_of(filter),
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
    return GmvFigure.of(figure)


@strawberry.type
class Query:
    opportunities: OpportunityConnection = access.query(
        "Query.opportunities", opportunities, "Opportunities shared with the partner, newest first."
    )
    gmv: GmvFigure = access.query(
        "Query.gmv", gmv, "GMV of a month (YYYY-MM, Beijing), by transaction method."
    )
