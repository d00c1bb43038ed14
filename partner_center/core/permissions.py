"""Authorization rules, each decided in exactly one place (R1, R2).

Resolvers and mutations ask these functions; they never inspect roles themselves.
"""

from __future__ import annotations

from partner_center.core.auth import AccountType, Menu, Principal, Role
from partner_center.core.errors import Forbidden

# The customer-expansion menus (Sales > Customers, Sales > Expand) do not exist for a
# channel-only master distributor, whoever the user is (R1).
CUSTOMER_EXPANSION_MENUS = frozenset({Menu.CUSTOMERS, Menu.LEADS})


def has_menu(principal: Principal, menu: Menu) -> bool:
    if (principal.account_type is AccountType.CHANNEL_MASTER_DISTRIBUTOR
            and menu in CUSTOMER_EXPANSION_MENUS):
        return False
    match principal.role:
        case Role.ADMIN:
            return True
        case Role.OPERATOR:
            return menu in principal.permissions
        case Role.CUSTOMER_MANAGER:
            # A manager works on customers by definition; R2 narrows which ones.
            return menu is Menu.CUSTOMERS or menu in principal.permissions
        case Role.STAFF:
            return menu is Menu.LEADS
        case Role.PROVIDER_OPERATIONS:
            return menu is Menu.INCENTIVES
    return False


def require_menu(principal: Principal, menu: Menu) -> None:
    """R1: without the menu the caller gets a permission error, never empty data."""
    if not has_menu(principal, menu):
        raise Forbidden(f"this account has no access to the {menu.value} menu",
                        permission=menu.value)


def managed_customer_scope(principal: Principal) -> str | None:
    """R2: the manager whose assigned customers bound what the caller sees, or None for all."""
    if principal.role is Role.CUSTOMER_MANAGER:
        return principal.user_id
    return None


def sees_all_jobs(principal: Principal) -> bool:
    """Administrators see every job of their partner; others see the jobs they requested,
    since a job's file holds only what its requester was allowed to read."""
    return principal.role is Role.ADMIN


# Who may move customers between managers (R2): the partner, i.e. its administrator or an
# operator holding the customers menu. A customer manager may not, or it could take
# another manager's customers.
CUSTOMER_ASSIGNERS = frozenset({Role.ADMIN, Role.OPERATOR})


def require_customer_assigner(principal: Principal) -> None:
    require_menu(principal, Menu.CUSTOMERS)
    if principal.role not in CUSTOMER_ASSIGNERS:
        raise Forbidden("only the partner administrator or an operator with the customers "
                        "menu may assign customers", permission=Menu.CUSTOMERS.value)


def require_manager_filter_in_scope(principal: Principal, manager_id: str | None,
                                    unassigned: bool) -> None:
    """R2: a customer manager may narrow a list to its own customers, never widen it to
    another manager's or the unassigned ones (an error, rather than an empty list that
    would read as "none")."""
    own = managed_customer_scope(principal)
    if own is None:
        return
    if (manager_id is not None and manager_id != own) or unassigned:
        raise Forbidden("a customer manager sees only the customers assigned to it")
