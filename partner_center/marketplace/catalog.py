"""The product catalogue: marketplace products, their categories, price plans and split.

Products are published by the platform, not owned by a partner: they live in the
platform partition and every partner with the marketplace menu reads the same list.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.marketplace.models import PricePlanAttribute, ProductItem
from partner_center.marketplace.split import SplitRule, to_cents

PRODUCT_PREFIX = "PRODUCT#"


class ProductCategory(enum.StrEnum):
    PRODUCT_SOLUTION = "product_solution"  # 商品解决方案: "marketplace product solution"
    SAAS = "saas"
    IMAGE = "image"  # 镜像
    API = "api"
    PROFESSIONAL_SERVICE = "professional_service"  # 专业服务


class BillingPeriod(enum.StrEnum):
    ONCE = "once"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class PricePlan:
    plan_id: str
    name: str
    price: Decimal
    period: BillingPeriod


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    category: ProductCategory
    publisher: str
    summary: str | None
    listed: bool
    shareable: bool
    price_plans: tuple[PricePlan, ...]
    split_rule: SplitRule

    def plan(self, plan_id: str) -> PricePlan | None:
        return next((p for p in self.price_plans if p.plan_id == plan_id), None)

    @classmethod
    def from_item(cls, item: ProductItem) -> Product:
        return cls(
            product_id=item.product_id,
            name=item.name,
            category=ProductCategory(item.category),
            publisher=item.publisher,
            summary=item.summary,
            listed=bool(item.listed),
            shareable=bool(item.shareable),
            price_plans=tuple(
                PricePlan(
                    plan_id=p.plan_id, name=p.name, price=p.price, period=BillingPeriod(p.period)
                )
                for p in item.price_plans or []
            ),
            split_rule=SplitRule(
                publisher=item.publisher_percent,
                provider=item.provider_percent,
                platform=item.platform_percent,
            ),
        )

    def to_item(self) -> ProductItem:
        self.split_rule.validate()
        for plan in self.price_plans:
            to_cents(plan.price)  # whole cents, not negative: every order splits exactly
        return ProductItem(
            PLATFORM_PARTITION,
            PRODUCT_PREFIX + self.product_id,
            product_id=self.product_id,
            name=self.name,
            category=self.category.value,
            publisher=self.publisher,
            summary=self.summary,
            listed=self.listed,
            shareable=self.shareable,
            price_plans=[
                PricePlanAttribute(
                    plan_id=p.plan_id, name=p.name, price=p.price, period=p.period.value
                )
                for p in self.price_plans
            ],
            publisher_percent=self.split_rule.publisher,
            provider_percent=self.split_rule.provider,
            platform_percent=self.split_rule.platform,
        )


def get_product(product_id: str) -> Product | None:
    try:
        item = ProductItem.get(PLATFORM_PARTITION, PRODUCT_PREFIX + product_id)
    except ProductItem.DoesNotExist:
        return None
    return Product.from_item(item)


def page_products(
    *, category: ProductCategory | None, listed_only: bool, after_product_id: str | None, limit: int
) -> tuple[list[Product], bool]:
    """Products in ID order; up to `limit` and whether more follow."""
    conditions = []
    if category is not None:
        conditions.append(ProductItem.category == category.value)
    if listed_only:
        conditions.append(ProductItem.listed == True)  # noqa: E712 - a pynamodb condition
    condition = None
    for part in conditions:
        condition = part if condition is None else condition & part
    start = None
    if after_product_id:
        start = {
            "partner_id": {"S": PLATFORM_PARTITION},
            "item_key": {"S": PRODUCT_PREFIX + after_product_id},
        }
    items: Iterator[ProductItem] = ProductItem.query(
        PLATFORM_PARTITION,
        ProductItem.item_key.startswith(PRODUCT_PREFIX),
        filter_condition=condition,
        last_evaluated_key=start,
        limit=limit + 1,
        page_size=max(limit + 1, 25),
    )
    products = [Product.from_item(item) for item in items]
    return products[:limit], len(products) > limit
