"""The `partnerBill` and `partnerBills` root queries."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.bills.types import PartnerBillConnection, PartnerBillMonth, PartnerBillNode
from partner_center.api.context import Info
from partner_center.api.core.ids import partner_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.bills import service
from partner_center.core.permissions import target_partner


async def partner_bill(
    info: Info, month: str, partner_id: relay.GlobalID | None = None
) -> PartnerBillMonth:
    principal = info.context.principal
    target = target_partner(principal, partner_of(partner_id))
    view = await service.month_view(principal, target, month)
    state = view.state
    return PartnerBillMonth(
        month=str(state.month),
        availability=state.availability,
        message=state.message,
        due_at=state.due_at,
        bill=PartnerBillNode.of(view.bill) if view.bill else None,
    )


async def partner_bills(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    partner_id: relay.GlobalID | None = None,
) -> PartnerBillConnection:
    principal = info.context.principal
    target = target_partner(principal, partner_of(partner_id))
    page = page_request(first, after, f"bill-{target}")
    found, has_next = await service.list_bills(principal, target, after=page.after, limit=page.size)
    return build_connection(
        PartnerBillConnection,
        [PartnerBillNode.of(b) for b in found],
        has_next,
        f"bill-{target}",
        lambda n: n.bill.bill_id,
        after,
    )


@strawberry.type
class Query:
    partner_bill: PartnerBillMonth = access.query(
        "Query.partnerBill",
        partner_bill,
        "A month's partner bill (month: YYYY-MM, Beijing time), or why it is not there yet; "
        "the provider's operations name the partner (partnerId).",
    )
    partner_bills: PartnerBillConnection = access.query(
        "Query.partnerBills",
        partner_bills,
        "Generated partner bills, newest month first (the provider's operations: of partnerId).",
    )
