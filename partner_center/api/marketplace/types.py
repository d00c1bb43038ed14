"""The storefront's side of the marketplace: products with their price plans, split
rule and share eligibility (R8), the partner's share links, and a placed order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.marketplace.enums import (
    BillingPeriodEnum,
    ProductCategoryEnum,
    ShareLinkStatus,
    UnattributedReasonEnum,
)
from partner_center.api.marketplace.loaders import load_standing, product_loader, share_link_loader
from partner_center.core.auth import Menu
from partner_center.core.clock import from_iso, from_iso_or_none, utcnow
from partner_center.core.permissions import has_menu
from partner_center.marketplace import catalog, links, orders
from partner_center.marketplace.attribution import UnattributedReason
from partner_center.marketplace.eligibility import MESSAGES, Standing, share_refusal

# -- products ---------------------------------------------------------------------------


@strawberry.type(name="MarketplacePricePlan")
class PricePlanType:
    id: str
    name: str
    price: Money
    period: BillingPeriodEnum


@strawberry.type(
    name="MarketplaceSplitRule",
    description="How an order's amount is split, "
    "in percent (decimal strings, summing to 100). Without a provider (an "
    "unattributed order) the provider's percentage goes to the platform.",
)
class SplitRuleType:
    publisher_percent: str
    provider_percent: str
    platform_percent: str


@strawberry.type(name="MarketplaceShareEligibility")
class ShareEligibility:
    eligible: bool
    reason: str | None = strawberry.field(
        description="Why not, as a stable code: "
        "NOT_SOLUTION_PROVIDER, NOT_IN_CSP_PROGRAM, "
        "PRODUCT_NOT_LISTED, PRODUCT_NOT_SHAREABLE."
    )
    message: str | None

    @classmethod
    def of(cls, standing: Standing, product: catalog.Product) -> ShareEligibility:
        refusal = share_refusal(standing, product)
        if refusal is None:
            return cls(eligible=True, reason=None, message=None)
        return cls(eligible=False, reason=refusal.value, message=MESSAGES[refusal])


@strawberry.type(name="MarketplaceProduct")
class ProductNode(relay.Node):
    product_id: relay.NodeID[str]
    name: str
    category: ProductCategoryEnum
    publisher: str = strawberry.field(description="The publisher (the product's vendor).")
    summary: str | None
    listed: bool
    shareable: bool = strawberry.field(
        description="Whether the publisher lets CSP partners share it."
    )
    price_plans: list[PricePlanType]
    split_rule: SplitRuleType
    share_eligibility: ShareEligibility = strawberry.field(
        description="Whether the caller's partner may create a share link "
        "for this product (R8), and if not, why."
    )

    @classmethod
    def of(cls, product: catalog.Product, standing: Standing) -> ProductNode:
        rule = product.split_rule
        return cls(
            product_id=product.product_id,
            name=product.name,
            category=product.category,
            publisher=product.publisher,
            summary=product.summary,
            listed=product.listed,
            shareable=product.shareable,
            price_plans=[
                PricePlanType(id=p.plan_id, name=p.name, price=Money.of(p.price), period=p.period)
                for p in product.price_plans
            ],
            split_rule=SplitRuleType(
                publisher_percent=f"{rule.publisher:f}",
                provider_percent=f"{rule.provider:f}",
                platform_percent=f"{rule.platform:f}",
            ),
            share_eligibility=ShareEligibility.of(standing, product),
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        if not has_menu(principal, Menu.MARKETPLACE):
            return [None for _ in node_ids]
        standing = await load_standing(principal.partner_id)
        found = await product_loader(info).load_many(list(node_ids))
        return [cls.of(product, standing) if product else None for product in found]


@strawberry.type(name="MarketplaceProductConnection")
class ProductConnection(relay.Connection[ProductNode]):
    pass


# -- share links ------------------------------------------------------------------------


def _share_link_url(root: ShareLinkNode, info: Info) -> str:
    return root.link.url(info.context.settings)


def _share_link_status(root: ShareLinkNode) -> ShareLinkStatus:
    if root.link.status == links.REVOKED:
        return ShareLinkStatus.REVOKED
    return ShareLinkStatus.EXPIRED if root.link.expired(utcnow()) else ShareLinkStatus.ACTIVE


@strawberry.type(
    name="MarketplaceShareLink",
    description="A product page link that attributes orders placed through it to the partner (R8).",
)
class ShareLinkNode(LoadedNode, relay.Node):
    link_id: relay.NodeID[str]
    link: strawberry.Private[links.ShareLink]
    product: relay.GlobalID
    product_name: str
    url: str = strawberry.field(
        resolver=_share_link_url,
        description="The link to send to a customer: the product's page on "
        "the storefront with `ref` (this link) and `st` (its "
        "signed token).",
    )
    token: str = strawberry.field(
        description="The signed token the link carries (no secret: it can "
        "be read, not forged or edited)."
    )
    # Read when asked: a link expires with time, not with a write.
    status: ShareLinkStatus = strawberry.field(resolver=_share_link_status)
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    created_by: relay.GlobalID

    @classmethod
    def of(cls, link: links.ShareLink) -> ShareLinkNode:
        return cls(
            link_id=link.link_id,
            link=link,
            product=relay.GlobalID("MarketplaceProduct", link.product_id),
            product_name=link.product_name,
            token=link.token,
            created_at=from_iso(link.created_at),
            expires_at=from_iso(link.expires_at),
            revoked_at=from_iso_or_none(link.revoked_at),
            created_by=relay.GlobalID("User", link.created_by),
        )

    node_loader = share_link_loader


@strawberry.type(name="MarketplaceShareLinkConnection")
class ShareLinkConnection(relay.Connection[ShareLinkNode]):
    pass


# -- a placed order ---------------------------------------------------------------------


# The order's related IDs are resolved when asked, not stored on the type: the mutation's
# audit event collects the IDs it finds in the payload's fields, and names no more than it did.
def _order_provider(root: PlacedOrderType) -> relay.GlobalID | None:
    partner_id = root.order.provider_partner_id
    return relay.GlobalID("Partner", partner_id) if partner_id else None


def _order_share_link(root: PlacedOrderType) -> relay.GlobalID | None:
    link_id = root.order.link_id
    return relay.GlobalID("MarketplaceShareLink", link_id) if link_id else None


def _order_product(root: PlacedOrderType) -> relay.GlobalID:
    return relay.GlobalID("MarketplaceProduct", root.order.product_id)


@strawberry.type(name="PlacedMarketplaceOrder")
class PlacedOrderType:
    order: strawberry.Private[orders.PlacedOrder]
    order_id: str
    attributed: bool
    provider: relay.GlobalID | None = strawberry.field(
        resolver=_order_provider, description="The provider the order was attributed to."
    )
    share_link: relay.GlobalID | None = strawberry.field(resolver=_order_share_link)
    unattributed_reason: UnattributedReasonEnum | None = strawberry.field(
        description="Why the order is not attributed (it is accepted anyway)."
    )
    product: relay.GlobalID = strawberry.field(resolver=_order_product)
    price_plan_id: str
    quantity: int
    unit_price: Money
    amount: Money
    publisher_share: Money
    provider_share: Money
    platform_share: Money
    placed_at: datetime

    @classmethod
    def of(cls, order: orders.PlacedOrder) -> PlacedOrderType:
        reason = order.unattributed_reason
        return cls(
            order=order,
            order_id=order.order_id,
            attributed=order.attributed,
            unattributed_reason=UnattributedReason(reason) if reason else None,
            price_plan_id=order.price_plan_id,
            quantity=order.quantity,
            unit_price=Money.of(order.unit_price),
            amount=Money.of(order.amount),
            publisher_share=Money.of(order.publisher_share),
            provider_share=Money.of(order.provider_share),
            platform_share=Money.of(order.platform_share),
            placed_at=from_iso(order.placed_at),
        )
