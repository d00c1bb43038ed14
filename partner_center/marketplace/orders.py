"""Placing a marketplace order: the storefront's call (R8).

The order is priced from the product's plan, attributed (or not) by its share link,
split by the product's rule, and recorded with its bill's totals in one transaction:
in the attributed provider's partition when the token verifies, otherwise in the
platform partition with the reason it was not attributed. A bad link never refuses
an order: the customer has paid for a product, not for a referral.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from partner_center.config import Settings
from partner_center.core.auth import Principal
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.core.ids import new_id
from partner_center.core.logs import fields, get_logger
from partner_center.core.permissions import require_storefront
from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.marketplace import tokens
from partner_center.marketplace.attribution import Attribution, attribute
from partner_center.marketplace.bills import bill_id, month_of
from partner_center.marketplace.catalog import PricePlan, Product, get_product
from partner_center.marketplace.codes import MarketplaceCode
from partner_center.marketplace.split import split
from partner_center.marketplace.transactions import Transaction, TransactionStore

log = get_logger(__name__)

MAX_QUANTITY = 1000
MAX_NAME = 100
MAX_LINK_REF = 64
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"[0-9+()\-\s]{5,32}")


@dataclass(frozen=True)
class Buyer:
    """Personal data: stored with the order, never logged or echoed in an error."""

    name: str
    phone: str | None = None
    email: str | None = None

    def validate(self) -> Buyer:
        name = (self.name or "").strip()
        if not 0 < len(name) <= MAX_NAME:
            raise BadInput(
                f"the buyer's name must be 1 to {MAX_NAME} characters", field="buyer.name"
            )
        phone = (self.phone or "").strip() or None
        if phone is not None and not _PHONE.fullmatch(phone):
            raise BadInput("the buyer's phone is not a phone number", field="buyer.phone")
        email = (self.email or "").strip() or None
        if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
            raise BadInput("the buyer's email is not an email address", field="buyer.email")
        return Buyer(name=name, phone=phone, email=email)


@dataclass(frozen=True)
class OrderRequest:
    product_id: str
    price_plan_id: str
    quantity: int
    buyer: Buyer
    link_ref: str | None = None  # the link's `ref` parameter
    token: str | None = None  # the link's `st` parameter


@dataclass(frozen=True)
class PlacedOrder:
    """What the storefront learns about its order (no buyer data: it sent that)."""

    order_id: str
    attributed: bool
    provider_partner_id: str | None
    link_id: str | None
    unattributed_reason: str | None
    product_id: str
    price_plan_id: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    publisher_share: Decimal
    provider_share: Decimal
    platform_share: Decimal
    bill_id: str
    placed_at: str

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlacedOrder:
        money = ("unit_price", "amount", "publisher_share", "provider_share", "platform_share")
        values: dict[str, Any] = {k: (Decimal(v) if k in money else v) for k, v in data.items()}
        return cls(**values)


def place_order(
    principal: Principal, request: OrderRequest, settings: Settings, now: datetime | None = None
) -> PlacedOrder:
    require_storefront(principal)
    if not 1 <= request.quantity <= MAX_QUANTITY:
        raise BadInput(f"quantity must be 1 to {MAX_QUANTITY}", field="quantity")
    if request.link_ref is not None and len(request.link_ref) > MAX_LINK_REF:
        raise BadInput("shareLinkRef is too long", field="shareLinkRef")
    buyer = request.buyer.validate()
    product = get_product(request.product_id)
    if product is None:
        raise NotFound("no marketplace product with this ID", field="productId")
    if not product.listed:
        raise Refused(
            MarketplaceCode.PRODUCT_NOT_LISTED,
            "the product is not listed on the marketplace",
            field="productId",
        )
    plan = product.plan(request.price_plan_id)
    if plan is None:
        raise NotFound("the product has no price plan with this ID", field="pricePlanId")
    now = now or utcnow()
    found = attribute(
        product.product_id,
        request.link_ref or None,
        request.token or None,
        tokens.SigningKeys.from_settings(settings),
        now,
    )
    txn = build_transaction(product, plan, request.quantity, buyer, found, now, new_id())
    TransactionStore(txn.partner_id).record(txn, month_of(now))
    log.info(
        "marketplace order placed",
        extra=fields(
            order_id=txn.order_id,
            product_id=product.product_id,
            attributed=found.attributed,
            provider_partner_id=found.partner_id,
            unattributed_reason=txn.unattributed_reason,
        ),
    )
    return PlacedOrder(
        order_id=txn.order_id,
        attributed=found.attributed,
        provider_partner_id=found.partner_id,
        link_id=found.link_id,
        unattributed_reason=txn.unattributed_reason,
        product_id=product.product_id,
        price_plan_id=plan.plan_id,
        quantity=request.quantity,
        unit_price=plan.price,
        amount=txn.amount,
        publisher_share=txn.publisher_share,
        provider_share=txn.provider_share,
        platform_share=txn.platform_share,
        bill_id=txn.bill_id,
        placed_at=txn.placed_at,
    )


def build_transaction(
    product: Product,
    plan: PricePlan,
    quantity: int,
    buyer: Buyer,
    found: Attribution,
    now: datetime,
    order_id: str,
) -> Transaction:
    """The order as recorded: priced, split, and placed in the attributed provider's
    partition, or the platform's with the reason."""
    amount = plan.price * quantity
    parts = split(
        amount, product.split_rule if found.attributed else product.split_rule.without_provider()
    )
    return Transaction(
        partner_id=found.partner_id or PLATFORM_PARTITION,
        order_id=order_id,
        bill_id=bill_id(month_of(now), product.category),
        placed_at=to_iso(now),
        product_id=product.product_id,
        product_name=product.name,
        category=product.category.value,
        price_plan_id=plan.plan_id,
        price_plan_name=plan.name,
        unit_price=plan.price,
        quantity=quantity,
        amount=parts.total,
        publisher_share=parts.publisher,
        provider_share=parts.provider,
        platform_share=parts.platform,
        attributed=found.attributed,
        link_id=found.link_id,
        unattributed_reason=found.reason.value if found.reason else None,
        buyer_name=buyer.name,
        buyer_phone=buyer.phone,
        buyer_email=buyer.email,
    )
