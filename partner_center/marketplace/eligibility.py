"""Who may share a product's link (R8): a solution provider in the marketplace
customer-service-provider program (云商店客户服务商), for a listed, shareable product.

Program membership is an attribute of the partner in the directory (`programs`), read
fresh at each decision: a partner that leaves the program stops creating links at
once, and its existing links stop attributing orders (see attribution).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from partner_center.core.auth import AccountType
from partner_center.marketplace.catalog import Product
from partner_center.storage.models import DirectoryItem

CSP_PROGRAM = "marketplace_csp"


class ShareRefusal(enum.StrEnum):
    NOT_SOLUTION_PROVIDER = "NOT_SOLUTION_PROVIDER"
    NOT_IN_PROGRAM = "NOT_IN_CSP_PROGRAM"
    PRODUCT_NOT_LISTED = "PRODUCT_NOT_LISTED"
    PRODUCT_NOT_SHAREABLE = "PRODUCT_NOT_SHAREABLE"


MESSAGES = {
    ShareRefusal.NOT_SOLUTION_PROVIDER: "only solution providers can share marketplace links",
    ShareRefusal.NOT_IN_PROGRAM: "the partner is not in the marketplace customer-service-"
    "provider program",
    ShareRefusal.PRODUCT_NOT_LISTED: "the product is not listed on the marketplace",
    ShareRefusal.PRODUCT_NOT_SHAREABLE: "the product's publisher does not allow sharing",
}


@dataclass(frozen=True)
class Standing:
    """What the directory says about a partner, for marketplace decisions."""

    account_type: AccountType | None
    programs: frozenset[str]

    @property
    def in_csp_program(self) -> bool:
        return self.account_type is AccountType.SOLUTION_PROVIDER and CSP_PROGRAM in self.programs


def standing(partner_id: str) -> Standing:
    try:
        item = DirectoryItem.get(partner_id, "PARTNER")
    except DirectoryItem.DoesNotExist:
        return Standing(account_type=None, programs=frozenset())
    try:
        account_type = AccountType(item.account_type) if item.account_type else None
    except ValueError:
        account_type = None
    return Standing(account_type=account_type, programs=frozenset(item.programs or ()))


def share_refusal(partner: Standing, product: Product) -> ShareRefusal | None:
    """None when the partner may share the product; otherwise the first reason it may not
    (the partner's own standing first: it is what the partner can act on)."""
    if partner.account_type is not AccountType.SOLUTION_PROVIDER:
        return ShareRefusal.NOT_SOLUTION_PROVIDER
    if CSP_PROGRAM not in partner.programs:
        return ShareRefusal.NOT_IN_PROGRAM
    if not product.listed:
        return ShareRefusal.PRODUCT_NOT_LISTED
    if not product.shareable:
        return ShareRefusal.PRODUCT_NOT_SHAREABLE
    return None


def set_programs(partner_id: str, programs: set[str]) -> None:
    """Replace a partner's program memberships (operations and demo data)."""
    item = DirectoryItem(partner_id, "PARTNER")
    if programs:
        item.update(
            actions=[DirectoryItem.programs.set(programs)], condition=DirectoryItem.entity.exists()
        )
    else:
        item.update(
            actions=[DirectoryItem.programs.remove()], condition=DirectoryItem.entity.exists()
        )
