"""Reading customers under R1 (the customers menu) and R2 (a manager's own customers)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from partner_center.core.auth import Menu, Principal, Role
from partner_center.core.permissions import (
    managed_customer_scope,
    require_manager_filter_in_scope,
    require_menu,
)
from partner_center.customers.store import CustomerFilter, CustomerOrder, CustomerStore
from partner_center.storage.models import CustomerItem, DirectoryItem

USER_PREFIX = "USER#"


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


def list_customers(
    principal: Principal,
    flt: CustomerFilter,
    *,
    order: CustomerOrder = CustomerOrder.CUSTOMER_ID,
    descending: bool = False,
    after: str | None = None,
    limit: int,
) -> tuple[list[CustomerItem], bool]:
    """R1, then R2: a manager's list is read from its own index partition only."""
    require_menu(principal, Menu.CUSTOMERS)
    require_manager_filter_in_scope(principal, flt.manager_id, flt.unassigned)
    manager = managed_customer_scope(principal) or flt.manager_id
    return CustomerStore(principal.partner_id).page(
        flt.validate(),
        order=order,
        descending=descending,
        after=after,
        limit=limit,
        manager_id=manager,
    )


def visible_customers_by_id(
    principal: Principal, customer_ids: Iterable[str]
) -> dict[str, CustomerItem]:
    """A batch read (one request per 100) of the customers the caller may see."""
    require_menu(principal, Menu.CUSTOMERS)
    found = CustomerStore(principal.partner_id).batch_get(customer_ids)
    manager = managed_customer_scope(principal)
    if manager is None:
        return found
    return {k: v for k, v in found.items() if v.manager_id == manager}


def users_by_id(partner_id: str, user_ids: Iterable[str]) -> dict[str, DirectoryItem]:
    """The partner's users by ID, one BatchGetItem per 100 (names for display)."""
    keys = sorted({u for u in user_ids if u})
    if not keys:
        return {}
    return {
        item.entity.removeprefix(USER_PREFIX): item
        for item in DirectoryItem.batch_get([(partner_id, USER_PREFIX + k) for k in keys])
    }


def customer_managers(principal: Principal) -> list[DirectoryItem]:
    """The partner's customer managers (whom customers can be assigned to); a manager
    sees only itself (R2)."""
    require_menu(principal, Menu.CUSTOMERS)
    own = managed_customer_scope(principal)
    users = DirectoryItem.query(
        principal.partner_id,
        DirectoryItem.entity.startswith(USER_PREFIX),
        filter_condition=DirectoryItem.role == Role.CUSTOMER_MANAGER.value,
    )
    return [u for u in users if own is None or u.entity == USER_PREFIX + own]
