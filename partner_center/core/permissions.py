"""Authorization rules, each decided in exactly one place (R1, R2).

Resolvers and mutations ask these functions; they never inspect roles themselves.
"""

from __future__ import annotations

from partner_center.core.auth import AccountType, Menu, Principal, Role
from partner_center.core.errors import BadInput, Forbidden

# The customer-expansion menus (Sales > Customers, Sales > Expand) do not exist for a
# channel-only master distributor, whoever the user is (R1).
CUSTOMER_EXPANSION_MENUS = frozenset({Menu.CUSTOMERS, Menu.LEADS})


def has_menu(principal: Principal, menu: Menu) -> bool:
    if (
        principal.account_type is AccountType.CHANNEL_MASTER_DISTRIBUTOR
        and menu in CUSTOMER_EXPANSION_MENUS
    ):
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
            # The provider's reviewers read what they review: incentives, and bills and
            # payment agreements (billing).
            return menu in (Menu.INCENTIVES, Menu.BILLING)
        case Role.STOREFRONT:
            # A service that places orders: it reads no partner's menus.
            return False
    return False


def require_menu(principal: Principal, menu: Menu) -> None:
    """R1: without the menu the caller gets a permission error, never empty data."""
    if not has_menu(principal, menu):
        raise Forbidden(
            f"this account has no access to the {menu.value} menu", permission=menu.value
        )


def is_provider_operations(principal: Principal) -> bool:
    """The cloud provider's reviewers. Their token names the one partner they act on, so
    tenant isolation holds for them as for anyone."""
    return principal.role is Role.PROVIDER_OPERATIONS


def require_partner_side(principal: Principal, menu: Menu) -> None:
    """Actions a partner takes on its own account (applying for its incentives): its
    users holding the menu. The provider's operations hold the incentives menu to review,
    never to act as the partner."""
    require_menu(principal, menu)
    if is_provider_operations(principal):
        raise Forbidden(
            "the provider's operations review; only the partner's own users can do this",
            permission=menu.value,
        )


def require_provider_operations(principal: Principal) -> None:
    """The provider's own work: issuing and approving incentives (R14), reviewing
    marketplace invoice requests, reading orders no share link attributed."""
    if not is_provider_operations(principal):
        raise Forbidden("only the cloud provider's operations can do this")


def can_dispatch_leads(principal: Principal) -> bool:
    """R6: the partner administrator, or an operator granted the leads menu."""
    return principal.role in (Role.ADMIN, Role.OPERATOR) and has_menu(principal, Menu.LEADS)


def require_lead_dispatch(principal: Principal) -> None:
    """R6 (and R1 first: without the leads menu, the menu's error)."""
    require_menu(principal, Menu.LEADS)
    if not can_dispatch_leads(principal):
        raise Forbidden(
            "only the partner administrator or an operator with the leads "
            "permission may dispatch or recall leads",
            permission="leads.dispatch",
        )


def lead_owner_scope(principal: Principal) -> str | None:
    """Partner staff see only the leads dispatched to them; None means every lead."""
    if principal.role is Role.STAFF:
        return principal.user_id
    return None


def require_partner_bills(principal: Principal) -> None:
    """R1 and R2 for partner bills: the billing menu, and not a customer manager, since a
    partner bill spans every reseller customer and a manager sees only its own (R2)."""
    require_menu(principal, Menu.BILLING)
    if managed_customer_scope(principal) is not None:
        raise Forbidden(
            "a partner bill covers every customer; a customer manager sees only "
            "its assigned customers",
            permission=Menu.BILLING.value,
        )


def reviews_every_partner(principal: Principal) -> bool:
    """The provider's operations on a platform token (they belong to no partner) review
    any partner's records; on a token naming one partner, that partner's only."""
    return is_provider_operations(principal) and principal.account_type is AccountType.PLATFORM


def may_act_for(principal: Principal, partner_id: str) -> bool:
    """Whose bills, agreements and contracts a caller reaches: its own partner's, and for
    the provider's operations on a platform token every partner's. The menu rules above
    still apply on top."""
    return partner_id == principal.partner_id or reviews_every_partner(principal)


def target_partner(principal: Principal, requested: str | None) -> str:
    """The partner a list or lookup is about: the caller's own unless it names another,
    which only the provider's operations on a platform token may (and must) do."""
    if requested is None:
        if reviews_every_partner(principal):
            raise BadInput("partnerId is required for the provider's operations", field="partnerId")
        return principal.partner_id
    if not may_act_for(principal, requested):
        raise Forbidden("a partner's users see their own partner's data only")
    return requested


def managed_customer_scope(principal: Principal) -> str | None:
    """R2: the manager whose assigned customers bound what the caller sees, or None for all."""
    if principal.role is Role.CUSTOMER_MANAGER:
        return principal.user_id
    return None


def sees_all_jobs(principal: Principal) -> bool:
    """Administrators see every job of their partner; others see the jobs they requested,
    since a job's file holds only what its requester was allowed to read."""
    return principal.role is Role.ADMIN


def require_storefront(principal: Principal) -> None:
    """Marketplace orders (R8) are placed by the storefront service, never by a partner."""
    if principal.role is not Role.STOREFRONT:
        raise Forbidden("only the marketplace storefront places orders")


def sees_marketplace_partition(principal: Principal, partner_id: str) -> bool:
    """A partner's marketplace records (bills, invoice requests): its own users with the
    marketplace menu, and the provider's operations (who review its invoice requests)."""
    if principal.role is Role.PROVIDER_OPERATIONS:
        return True
    return partner_id == principal.partner_id and has_menu(principal, Menu.MARKETPLACE)


# Who may move customers between managers (R2): the partner, i.e. its administrator or an
# operator holding the customers menu. A customer manager may not, or it could take
# another manager's customers.
CUSTOMER_ASSIGNERS = frozenset({Role.ADMIN, Role.OPERATOR})


def require_customer_assigner(principal: Principal) -> None:
    require_menu(principal, Menu.CUSTOMERS)
    if principal.role not in CUSTOMER_ASSIGNERS:
        raise Forbidden(
            "only the partner administrator or an operator with the customers "
            "menu may assign customers",
            permission=Menu.CUSTOMERS.value,
        )


def require_manager_filter_in_scope(
    principal: Principal, manager_id: str | None, unassigned: bool
) -> None:
    """R2: a customer manager may narrow a list to its own customers, never widen it to
    another manager's or the unassigned ones (an error, rather than an empty list that
    would read as "none")."""
    own = managed_customer_scope(principal)
    if own is None:
        return
    if (manager_id is not None and manager_id != own) or unassigned:
        raise Forbidden("a customer manager sees only the customers assigned to it")
