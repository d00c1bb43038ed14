"""The incentives area's root queries."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.incentives.enums import IncentiveApplicationStatus
from partner_center.api.incentives.inputs import IncentiveFilter, incentive_ids
from partner_center.api.incentives.summaries import (
    IncentiveApplicationPreview,
    IncentiveTotals,
    PartnerProgramMembership,
)
from partner_center.api.incentives.types import (
    IncentiveApplicationConnection,
    IncentiveApplicationNode,
    IncentiveConnection,
    IncentiveNode,
)
from partner_center.incentives import service


async def incentives(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: IncentiveFilter | None = None,
) -> IncentiveConnection:
    page = page_request(first, after, "incentive")
    found, has_next = await asyncio.to_thread(
        service.list_incentives,
        info.context.principal,
        (filter or IncentiveFilter()).resolve(),
        after_id=page.after,
        limit=page.size,
    )
    return build_connection(
        IncentiveConnection,
        [IncentiveNode.of(v) for v in found],
        has_next,
        "incentive",
        lambda n: n.incentive_id,
        after,
    )


async def incentive_totals(info: Info, filter: IncentiveFilter | None = None) -> IncentiveTotals:
    sums = await asyncio.to_thread(
        service.totals, info.context.principal, (filter or IncentiveFilter()).resolve()
    )
    return IncentiveTotals.of(sums)


async def incentive_application_preview(
    info: Info, positive_incentive_ids: list[relay.GlobalID]
) -> IncentiveApplicationPreview:
    positive_ids = incentive_ids(positive_incentive_ids, "positiveIncentiveIds")
    found = await asyncio.to_thread(service.preview, info.context.principal, positive_ids)
    return IncentiveApplicationPreview.of(found)


async def incentive_applications(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: IncentiveApplicationStatus | None = None,
) -> IncentiveApplicationConnection:
    page = page_request(first, after, "incentive-application")
    found, has_next = await asyncio.to_thread(
        service.list_applications,
        info.context.principal,
        status=status,
        after_id=page.after,
        limit=page.size,
    )
    return build_connection(
        IncentiveApplicationConnection,
        [IncentiveApplicationNode.of(a) for a in found],
        has_next,
        "incentive-application",
        lambda n: n.application_id,
        after,
    )


async def incentive_programs(
    info: Info, partner_id: relay.GlobalID | None = None
) -> list[PartnerProgramMembership]:
    partner = node_id_of(partner_id, "Partner", "partnerId") if partner_id else None
    found = await asyncio.to_thread(service.program_memberships, info.context.principal, partner)
    return [PartnerProgramMembership.of(m) for m in found]


@strawberry.type
class Query:
    incentives: IncentiveConnection = access.query(
        "Query.incentives", incentives, "The partner's incentives, newest first."
    )
    incentive_totals: IncentiveTotals = access.query(
        "Query.incentiveTotals",
        incentive_totals,
        "Totals over every incentive matching the filter.",
    )
    incentive_application_preview: IncentiveApplicationPreview = access.query(
        "Query.incentiveApplicationPreview",
        incentive_application_preview,
        "Preview an application for disbursement of the chosen positive incentives.",
    )
    incentive_applications: IncentiveApplicationConnection = access.query(
        "Query.incentiveApplications",
        incentive_applications,
        "Applications for disbursement, newest first.",
    )
    incentive_programs: list[PartnerProgramMembership] = access.query(
        "Query.incentivePrograms",
        incentive_programs,
        "The partner's program memberships, which bound its incentives' validity (R19). "
        "partnerId: the partner the provider's operations review (required on their "
        "platform token; others may name only their own).",
    )
