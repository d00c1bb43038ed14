"""Opportunities and GMV for a caller (R21). Under the incentives menu: GMV is the
performance figure incentives are computed from, and opportunities are what feeds it."""

from __future__ import annotations

from partner_center.core.auth import Menu, Principal
from partner_center.core.permissions import has_menu, require_menu
from partner_center.incentives.opportunities import Gmv, Opportunity, OpportunityStatus, gmv
from partner_center.incentives.opportunity_store import OpportunityStore
from partner_center.incentives.service import check_period

MENU = Menu.INCENTIVES


def list_opportunities(
    principal: Principal,
    *,
    statuses: frozenset[OpportunityStatus] | None,
    after_id: str | None,
    limit: int,
) -> tuple[list[Opportunity], bool]:
    require_menu(principal, MENU)
    return OpportunityStore(principal.partner_id).page(
        statuses=statuses, after_id=after_id, limit=limit
    )


def get_opportunity(principal: Principal, opportunity_id: str) -> Opportunity | None:
    if not has_menu(principal, MENU):
        return None
    return OpportunityStore(principal.partner_id).get(opportunity_id)


def period_gmv(principal: Principal, period: str) -> Gmv:
    require_menu(principal, MENU)
    check_period(period)
    return gmv(OpportunityStore(principal.partner_id).deals(period), period)
