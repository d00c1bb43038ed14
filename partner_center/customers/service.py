"""Reading customers under R1 (the customers menu) and R2 (a manager's own customers)."""

from __future__ import annotations

import asyncio

from partner_center.core.auth import Menu, Principal
from partner_center.core.permissions import managed_customer_scope, require_menu
from partner_center.storage.models import CustomerItem


def _get(partner_id: str, customer_id: str) -> CustomerItem | None:
    try:
        return CustomerItem.get(partner_id, customer_id)
    except CustomerItem.DoesNotExist:
        return None


async def get_customer(principal: Principal, customer_id: str) -> CustomerItem | None:
    """The customer if the caller may see it; None for another partner's, another
    manager's or a made-up ID, so a guessed ID reveals nothing."""
    require_menu(principal, Menu.CUSTOMERS)
    customer = await asyncio.to_thread(_get, principal.partner_id, customer_id)
    if customer is None:
        return None
    manager = managed_customer_scope(principal)
    if manager is not None and customer.manager_id != manager:
        return None
    return customer
