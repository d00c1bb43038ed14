"""The partner directory decides what a caller may do, on every request (R1).

A token says who the caller is (partner, user); the directory says what that user is
(role) and holds (menu grants), and what kind of partner it belongs to. Both are read
on each request, with a strongly consistent read, so an administrator who revokes a
grant or removes a user sees it take effect on the very next request, whatever tokens
are still in flight. The result lives in the request's context only: nothing cached
outlives the request.

The provider's own services and reviewers (the `platform` partition) are not users of
any partner: their role is the identity provider's claim, and they hold no menu grants
(their rules follow from the role, see `partner_center.core.permissions`).
"""

from __future__ import annotations

from partner_center.core.auth import AccountType, Menu, Principal, Role
from partner_center.core.errors import Unauthenticated
from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.storage.models import DirectoryItem

# What a platform principal may be: nothing a partner's own administrator could be.
PLATFORM_ROLES = frozenset({Role.STOREFRONT, Role.PROVIDER_OPERATIONS})
_MENUS = frozenset(m.value for m in Menu)


def _role(value: str | None) -> Role | None:
    try:
        return Role(value) if value else None
    except ValueError:
        return None


def platform_principal(user_id: str, role: str | None, login: str = "") -> Principal:
    found = _role(role)
    if found is None or found not in PLATFORM_ROLES:
        raise Unauthenticated("the bearer token names no role of the provider's services")
    return Principal(
        partner_id=PLATFORM_PARTITION,
        user_id=user_id,
        login=login or user_id,
        role=found,
        account_type=AccountType.PLATFORM,
    )


def read(partner_id: str, user_id: str) -> tuple[DirectoryItem | None, DirectoryItem | None]:
    """The partner's record and the user's, in one strongly consistent BatchGetItem."""
    user_entity = f"USER#{user_id}"
    found = {
        item.entity: item
        for item in DirectoryItem.batch_get(
            [(partner_id, "PARTNER"), (partner_id, user_entity)], consistent_read=True
        )
    }
    return found.get("PARTNER"), found.get(user_entity)


def principal(
    partner_id: str,
    user_id: str,
    *,
    claimed_role: str | None = None,
    fallback: Principal | None = None,
) -> Principal:
    """The caller as the directory describes it.

    `fallback` is a development token's own description, used only for a user the
    directory does not hold (test and script identities); an identity provider's token
    has none, so an unknown user is UNAUTHENTICATED.
    """
    if partner_id == PLATFORM_PARTITION:
        if fallback is not None:
            return fallback
        return platform_principal(user_id, claimed_role)
    partner, user = read(partner_id, user_id)
    if user is None or partner is None:
        if fallback is not None:
            return fallback
        raise Unauthenticated("the bearer token's user is not in its partner's directory")
    role = _role(user.role)
    try:
        account_type = AccountType(partner.account_type or "")
    except ValueError:
        account_type = None
    if role is None or account_type is None:
        raise Unauthenticated("the partner directory holds no valid role for this user")
    return Principal(
        partner_id=partner_id,
        user_id=user_id,
        login=user.login or "",
        role=role,
        account_type=account_type,
        permissions=frozenset(Menu(p) for p in user.permissions or () if p in _MENUS),
    )
