"""Marketplace demo data: products, CSP program members, share links, orders (attributed
and not, with their reasons), the bills they add up to, and a few invoice requests.

Deterministic (own seeds). Orders are built with the same functions the order mutation
uses (`build_transaction`, hence the real split), and the bills are their sums. Share
links are genuinely signed with the deployment's key; the unattributed orders carry the
reason the real check would record for their link (none, expired, tampered, pasted).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker

from partner_center.config import get_settings
from partner_center.core.clock import to_iso
from partner_center.marketplace import tokens
from partner_center.marketplace.attribution import Attribution, UnattributedReason
from partner_center.marketplace.bills import BILL_PREFIX
from partner_center.marketplace.catalog import (
    BillingPeriod,
    PricePlan,
    Product,
    ProductCategory,
)
from partner_center.marketplace.eligibility import CSP_PROGRAM, set_programs
from partner_center.marketplace.invoices import (
    Decision,
    InvoiceRequest,
    InvoiceRequestStore,
    InvoiceStatus,
    InvoiceType,
)
from partner_center.marketplace.links import ACTIVE, LINK_PREFIX, ShareLink
from partner_center.marketplace.models import BillItem, ProductItem, ShareLinkItem
from partner_center.marketplace.orders import Buyer, build_transaction
from partner_center.marketplace.split import SplitRule
from partner_center.marketplace.tax_numbers import check_character
from partner_center.marketplace.transactions import Transaction

SEED = 20260808
START = datetime(2026, 7, 31, 16, tzinfo=UTC)  # 2026-08-01 00:00 Beijing
DAYS = 92  # August to October 2026, Beijing time
CSP_MEMBERS = ("ptn-sp-001", "ptn-sp-002")  # ptn-md-001 (a distributor) is not

# (partner, number of orders through its links)
REFERRALS = (("ptn-sp-001", 260), ("ptn-sp-002", 40))
UNATTRIBUTED = 70

_P = Decimal


def _rule(publisher: str, provider: str, platform: str) -> SplitRule:
    return SplitRule(publisher=_P(publisher), provider=_P(provider), platform=_P(platform))


PRODUCTS: list[Product] = [
    Product(
        "mp-sol-erp",
        "云ERP行业解决方案",
        ProductCategory.PRODUCT_SOLUTION,
        "用友网络科技",
        "ERP for manufacturing, deployed on the cloud",
        True,
        True,
        (
            PricePlan("basic", "基础版", _P("12800.00"), BillingPeriod.YEAR),
            PricePlan("pro", "专业版", _P("36800.00"), BillingPeriod.YEAR),
        ),
        _rule("70", "20", "10"),
    ),
    Product(
        "mp-sol-retail",
        "智慧零售解决方案",
        ProductCategory.PRODUCT_SOLUTION,
        "海鼎科技",
        "Stores, stock and members in one place",
        True,
        True,
        (
            PricePlan("store", "单店版", _P("3999.99"), BillingPeriod.YEAR),
            PricePlan("chain", "连锁版", _P("19999.00"), BillingPeriod.YEAR),
        ),
        _rule("66.67", "16.67", "16.66"),
    ),
    Product(
        "mp-sol-edu",
        "智慧校园解决方案",
        ProductCategory.PRODUCT_SOLUTION,
        "希沃教育",
        "Campus management for schools",
        True,
        True,
        (PricePlan("campus", "校园版", _P("888.88"), BillingPeriod.MONTH),),
        _rule("75.5", "14.5", "10"),
    ),
    Product(
        "mp-saas-crm",
        "销售易CRM",
        ProductCategory.SAAS,
        "销售易",
        "Customer relationship management",
        True,
        True,
        (
            PricePlan("team", "团队版", _P("299.00"), BillingPeriod.MONTH),
            PricePlan("enterprise", "企业版", _P("999.00"), BillingPeriod.MONTH),
        ),
        _rule("80", "12", "8"),
    ),
    Product(
        "mp-saas-sign",
        "电子签章",
        ProductCategory.SAAS,
        "法大大",
        "Electronic signatures",
        True,
        True,
        (PricePlan("pack100", "100份套餐", _P("333.33"), BillingPeriod.ONCE),),
        _rule("85", "10", "5"),
    ),
    Product(
        "mp-img-lamp",
        "LAMP运行环境镜像",
        ProductCategory.IMAGE,
        "镜像工坊",
        "Linux, Apache, MySQL and PHP, ready to run",
        True,
        True,
        (PricePlan("monthly", "按月", _P("19.90"), BillingPeriod.MONTH),),
        _rule("70", "15", "15"),
    ),
    Product(
        "mp-api-ocr",
        "通用文字识别API",
        ProductCategory.API,
        "合合信息",
        "OCR for receipts, IDs and forms",
        True,
        True,
        (
            PricePlan("k10", "1万次", _P("99.00"), BillingPeriod.ONCE),
            PricePlan("k100", "10万次", _P("799.00"), BillingPeriod.ONCE),
        ),
        _rule("60", "25", "15"),
    ),
    Product(
        "mp-ps-migrate",
        "上云迁移服务",
        ProductCategory.PROFESSIONAL_SERVICE,
        "云迁移咨询",
        "Migration assessment and execution",
        True,
        False,  # not shareable
        (PricePlan("assessment", "评估", _P("5000.00"), BillingPeriod.ONCE),),
        _rule("90", "0", "10"),
    ),
    Product(
        "mp-sol-legacy",
        "旧版OA解决方案",
        ProductCategory.PRODUCT_SOLUTION,
        "泛微网络",
        "Withdrawn from sale",
        False,
        True,  # not listed
        (PricePlan("std", "标准版", _P("6800.00"), BillingPeriod.YEAR),),
        _rule("70", "20", "10"),
    ),
]

_SHAREABLE = [p for p in PRODUCTS if p.listed and p.shareable]


@dataclass(frozen=True)
class MarketplaceDemo:
    products: list[Product]
    links: list[ShareLink]
    transactions: list[Transaction]


def _link(
    keys: tokens.SigningKeys,
    partner_id: str,
    product: Product,
    number: int,
    created: datetime,
    days: int,
    created_by: str,
) -> ShareLink:
    link_id = f"lnk-{partner_id[-3:]}-{number:03d}"
    expires = created + timedelta(days=days)
    token = tokens.sign(
        tokens.LinkClaims(
            partner_id=partner_id,
            product_id=product.product_id,
            link_id=link_id,
            expires_at=int(expires.timestamp()),
            key_id=keys.current_id,
        ),
        keys,
    )
    return ShareLink(
        partner_id=partner_id,
        link_id=link_id,
        product_id=product.product_id,
        product_name=product.name,
        token=token,
        key_id=keys.current_id,
        created_by=created_by,
        created_at=to_iso(created),
        expires_at=to_iso(expires),
        status=ACTIVE,
        revoked_at=None,
    )


def _links(keys: tokens.SigningKeys) -> list[ShareLink]:
    found = []
    for partner_id, admin in (("ptn-sp-001", "usr-sp-admin"), ("ptn-sp-002", "usr-sp2-admin")):
        for number, product in enumerate(_SHAREABLE, start=1):
            # Created a week before the demo months, valid well past them...
            found.append(
                _link(keys, partner_id, product, number, START - timedelta(days=7), 400, admin)
            )
    # ...and one that expired on 2026-08-31: orders after that are not attributed.
    found.append(
        _link(keys, "ptn-sp-001", _SHAREABLE[0], 99, START - timedelta(days=7), 38, "usr-sp-admin")
    )
    return found


def _buyer(fake: Faker, rng: random.Random) -> Buyer:
    return Buyer(
        name=fake.company() if rng.random() < 0.5 else fake.name(),
        phone=fake.phone_number(),
        email=fake.email(),
    )


def generate() -> MarketplaceDemo:
    rng = random.Random(SEED)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    keys = tokens.SigningKeys.from_settings(get_settings())
    links = _links(keys)
    by_partner: dict[str, list[ShareLink]] = defaultdict(list)
    for link in links:
        if link.link_id.endswith("-099"):
            continue
        by_partner[link.partner_id].append(link)
    transactions = []
    number = 0

    def order(found: Attribution, product: Product) -> None:
        nonlocal number
        number += 1
        placed = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        plan = rng.choice(product.price_plans)
        transactions.append(
            build_transaction(
                product,
                plan,
                rng.randint(1, 5),
                _buyer(fake, rng),
                found,
                placed,
                f"ord-{number:05d}",
            )
        )

    for partner_id, count in REFERRALS:
        for _ in range(count):
            link = rng.choice(by_partner[partner_id])
            product = next(p for p in PRODUCTS if p.product_id == link.product_id)
            order(Attribution(partner_id=partner_id, link_id=link.link_id, reason=None), product)
    reasons = [UnattributedReason.NO_SHARE_LINK] * 4 + [
        UnattributedReason.EXPIRED,
        UnattributedReason.BAD_SIGNATURE,
        UnattributedReason.LINK_MISMATCH,
    ]
    for _ in range(UNATTRIBUTED):
        order(Attribution.none(rng.choice(reasons)), rng.choice(_SHAREABLE))
    transactions.sort(key=lambda t: t.placed_at)
    return MarketplaceDemo(products=PRODUCTS, links=links, transactions=transactions)


def bills_of(transactions: list[Transaction]) -> list[BillItem]:
    """The bills these transactions add up to (what recording them one by one writes)."""
    totals: dict[tuple[str, str], dict[str, Any]] = {}
    for txn in transactions:
        bill = totals.setdefault(
            (txn.partner_id, txn.bill_id),
            {
                "month": txn.bill_id.split(".", 1)[0],
                "category": txn.category,
                "transaction_count": 0,
                "order_amount": _P(0),
                "publisher_share": _P(0),
                "provider_share": _P(0),
                "platform_share": _P(0),
            },
        )
        bill["transaction_count"] += 1
        for name in ("order_amount", "publisher_share", "provider_share", "platform_share"):
            bill[name] += getattr(txn, "amount" if name == "order_amount" else name)
    return [
        BillItem(partner_id, BILL_PREFIX + bill_id, bill_id=bill_id, **values)
        for (partner_id, bill_id), values in sorted(totals.items())
    ]


def tax_number(rng: random.Random) -> str:
    first = (
        "91"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return first + check_character(first)


def _invoices(rng: random.Random) -> None:
    """sp-001: August's solution bill invoiced, September's solution request rejected,
    October's SaaS request awaiting review."""
    store = InvoiceRequestStore("ptn-sp-001")
    plans = (
        ("2026-08.product_solution", Decision.ISSUE, "25440000000012345678"),
        ("2026-09.product_solution", Decision.REJECT, "抬头与税号不一致"),
        ("2026-10.saas", None, None),
    )
    for number, (bill_id, decision, outcome) in enumerate(plans, start=1):
        bill = BillItem.get("ptn-sp-001", BILL_PREFIX + bill_id)
        requested = datetime(2026, 11, 6, 2, number, tzinfo=UTC)
        request = InvoiceRequest(
            partner_id="ptn-sp-001",
            request_id=f"inv-{number:04d}",
            bill_id=bill_id,
            title="演示伙伴科技有限公司",
            tax_number=tax_number(rng),
            invoice_type=InvoiceType.VAT_SPECIAL,
            amount=bill.provider_share,
            status=InvoiceStatus.REQUESTED,
            requested_by="usr-sp-admin",
            requested_at=to_iso(requested),
            reviewed_by=None,
            reviewed_at=None,
            invoice_number=None,
            rejection_reason=None,
        )
        store.open(request)
        if decision is not None:
            store.close(
                request,
                decision,
                "usr-ops-reviewer",
                requested + timedelta(days=1),
                invoice_number=outcome if decision is Decision.ISSUE else None,
                reason=outcome if decision is Decision.REJECT else None,
            )


def seed(data: Any = None) -> MarketplaceDemo:
    demo = generate()
    for partner_id in CSP_MEMBERS:
        set_programs(partner_id, {CSP_PROGRAM})
    items: list[Any] = [p.to_item() for p in demo.products]
    items += [
        ShareLinkItem(
            link.partner_id,
            LINK_PREFIX + link.link_id,
            **{k: v for k, v in vars(link).items() if k not in ("partner_id", "revoked_at")},
        )
        for link in demo.links
    ]
    items += [t.to_item() for t in demo.transactions]
    items += bills_of(demo.transactions)
    with ProductItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    _invoices(random.Random(SEED + 1))
    return demo


def buyers(demo: MarketplaceDemo) -> set[str]:
    """Every buyer's name, phone and email (what must never leave unmasked)."""
    values: set[str] = set()
    for txn in demo.transactions:
        values.update(v for v in (txn.buyer_name, txn.buyer_phone, txn.buyer_email) if v)
    return values
