"""The `leads`, `lead` and `partnerStaff` root queries."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.customers.users import PartnerUser
from partner_center.api.leads.enums import LeadOrder
from partner_center.api.leads.inputs import LeadFilterInput
from partner_center.api.leads.types import LeadConnection, LeadNode
from partner_center.core.errors import NotFound
from partner_center.leads import service


async def leads(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: LeadFilterInput | None = None,
    order_by: LeadOrder = LeadOrder.CREATED_AT_DESC,
) -> LeadConnection:
    kind = f"lead-{order_by.value}"
    page = page_request(first, after, kind)
    flt = (filter or LeadFilterInput()).to_filter()
    found, has_next = await service.search_leads(
        info.context.principal,
        flt,
        after_lead_id=page.after,
        limit=page.size,
        newest_first=order_by is LeadOrder.CREATED_AT_DESC,
    )
    nodes = [LeadNode.of(lead) for lead in found]
    return build_connection(LeadConnection, nodes, has_next, kind, lambda n: n.lead_id, after)


async def lead(info: Info, id: relay.GlobalID) -> LeadNode | None:
    lead_id = node_id_of(id, "Lead", "id")
    found = await service.get_lead(info.context.principal, lead_id)
    if found is None:
        raise NotFound("no lead with this ID")
    return LeadNode.of(found)


async def list_partner_staff(info: Info) -> list[PartnerUser]:
    from partner_center.leads.staff import partner_staff

    users = await asyncio.to_thread(partner_staff, info.context.principal.partner_id)
    return [PartnerUser.of(u.entity.removeprefix("USER#"), u) for u in users]


@strawberry.type
class Query:
    partner_staff: list[PartnerUser] = access.query(
        "Query.partnerStaff",
        list_partner_staff,
        "The partner's staff users, whom leads are dispatched to (dispatchLeads' staffId).",
    )
    leads: LeadConnection = access.query(
        "Query.leads", leads, "Search leads (partner staff: the leads dispatched to them)."
    )
    lead: LeadNode | None = access.query(
        "Query.lead",
        lead,
        "A lead with its dispatch history; NOT_FOUND when the caller may not see it.",
    )
