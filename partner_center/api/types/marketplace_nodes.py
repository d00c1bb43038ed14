"""Marketplace object types: products, share links, bills, transactions, invoice requests.

Each is a Relay node whose `resolve_nodes` applies the same rules as the lists: the
caller's own partition, the marketplace menu, and null for anything else.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import scoped, scoped_id_of, split
from partner_center.api.core.money import Money
from partner_center.core.anonymize import ColumnKind, mask
from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import from_iso, from_iso_or_none, utcnow
from partner_center.core.errors import Forbidden, NotFound
from partner_center.core.permissions import has_menu
from partner_center.marketplace import bills, catalog, eligibility, invoices, links
from partner_center.marketplace.attribution import UnattributedReason
from partner_center.marketplace.eligibility import MESSAGES, Standing, share_refusal
from partner_center.marketplace.transactions import Transaction, TransactionStore

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(catalog.ProductCategory, name="MarketplaceProductCategory")
ProductCategoryEnum: TypeAlias = catalog.ProductCategory
strawberry.enum(catalog.BillingPeriod, name="MarketplaceBillingPeriod")
BillingPeriodEnum: TypeAlias = catalog.BillingPeriod
strawberry.enum(bills.BillStatus, name="MarketplaceBillStatus")
BillStatusEnum: TypeAlias = bills.BillStatus
strawberry.enum(invoices.InvoiceType, name="MarketplaceInvoiceType")
InvoiceTypeEnum: TypeAlias = invoices.InvoiceType
strawberry.enum(invoices.InvoiceStatus, name="MarketplaceInvoiceStatus")
InvoiceStatusEnum: TypeAlias = invoices.InvoiceStatus
strawberry.enum(UnattributedReason, name="MarketplaceUnattributedReason")
UnattributedReasonEnum: TypeAlias = UnattributedReason


@strawberry.enum(name="MarketplaceShareLinkStatus")
class ShareLinkStatus(enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"  # past its expiry: orders through it are not attributed
    REVOKED = "revoked"


# -- products ---------------------------------------------------------------------------


def bill_global_id(partner_id: str, bill_id: str) -> relay.GlobalID:
    """A marketplace bill's global ID: bill IDs (`2026-09.saas`) repeat across partners,
    so the partner is part of it, as for partner bills."""
    return relay.GlobalID("MarketplaceBill", scoped(partner_id, bill_id))


def own_bill_id(principal: Principal, global_id: relay.GlobalID, field: str) -> str:
    """The bill ID within the caller's partner; another partner's bill is NOT_FOUND, as
    one that does not exist."""
    partner_id, bill_id = scoped_id_of(global_id, "MarketplaceBill", field)
    if partner_id != principal.partner_id:
        raise NotFound("no marketplace bill with this ID", field=field)
    return bill_id


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


@strawberry.type(name="MarketplaceProduct")
class ProductNode(relay.Node):
    product_id: relay.NodeID[str]
    product: strawberry.Private[catalog.Product]
    standing: strawberry.Private[Standing]

    @classmethod
    def of(cls, product: catalog.Product, standing: Standing) -> ProductNode:
        return cls(product_id=product.product_id, product=product, standing=standing)

    @strawberry.field
    def name(self) -> str:
        return self.product.name

    @strawberry.field
    def category(self) -> ProductCategoryEnum:
        return self.product.category

    @strawberry.field(description="The publisher (the product's vendor).")
    def publisher(self) -> str:
        return self.product.publisher

    @strawberry.field
    def summary(self) -> str | None:
        return self.product.summary

    @strawberry.field
    def listed(self) -> bool:
        return self.product.listed

    @strawberry.field(description="Whether the publisher lets CSP partners share it.")
    def shareable(self) -> bool:
        return self.product.shareable

    @strawberry.field
    def price_plans(self) -> list[PricePlanType]:
        return [
            PricePlanType(id=p.plan_id, name=p.name, price=Money.of(p.price), period=p.period)
            for p in self.product.price_plans
        ]

    @strawberry.field
    def split_rule(self) -> SplitRuleType:
        rule = self.product.split_rule
        return SplitRuleType(
            publisher_percent=f"{rule.publisher:f}",
            provider_percent=f"{rule.provider:f}",
            platform_percent=f"{rule.platform:f}",
        )

    @strawberry.field(
        description="Whether the caller's partner may create a share link "
        "for this product (R8), and if not, why."
    )
    def share_eligibility(self) -> ShareEligibility:
        refusal = share_refusal(self.standing, self.product)
        if refusal is None:
            return ShareEligibility(eligible=True, reason=None, message=None)
        return ShareEligibility(eligible=False, reason=refusal.value, message=MESSAGES[refusal])

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        if not has_menu(principal, Menu.MARKETPLACE):
            return [None for _ in node_ids]
        standing = await load_standing(principal.partner_id)
        results = []
        for node_id in node_ids:
            product = await asyncio.to_thread(catalog.get_product, node_id)
            results.append(cls.of(product, standing) if product else None)
        return results


async def load_standing(partner_id: str) -> Standing:
    return await asyncio.to_thread(eligibility.standing, partner_id)


# -- share links ------------------------------------------------------------------------


@strawberry.type(
    name="MarketplaceShareLink",
    description="A product page link that attributes orders placed through it to the partner (R8).",
)
class ShareLinkNode(relay.Node):
    link_id: relay.NodeID[str]
    link: strawberry.Private[links.ShareLink]

    @classmethod
    def of(cls, link: links.ShareLink) -> ShareLinkNode:
        return cls(link_id=link.link_id, link=link)

    @strawberry.field
    def product(self) -> relay.GlobalID:
        return relay.GlobalID("MarketplaceProduct", self.link.product_id)

    @strawberry.field
    def product_name(self) -> str:
        return self.link.product_name

    @strawberry.field(
        description="The link to send to a customer: the product's page on "
        "the storefront with `ref` (this link) and `st` (its "
        "signed token)."
    )
    def url(self, info: Info) -> str:
        return self.link.url(info.context.settings)

    @strawberry.field(
        description="The signed token the link carries (no secret: it can "
        "be read, not forged or edited)."
    )
    def token(self) -> str:
        return self.link.token

    @strawberry.field
    def status(self) -> ShareLinkStatus:
        if self.link.status == links.REVOKED:
            return ShareLinkStatus.REVOKED
        return ShareLinkStatus.EXPIRED if self.link.expired(utcnow()) else ShareLinkStatus.ACTIVE

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.link.created_at)

    @strawberry.field
    def expires_at(self) -> datetime:
        return from_iso(self.link.expires_at)

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return from_iso_or_none(self.link.revoked_at)

    @strawberry.field
    def created_by(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.link.created_by)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                link = await asyncio.to_thread(
                    links.get_share_link, info.context.principal, node_id
                )
            except Forbidden:
                link = None
            results.append(cls.of(link) if link else None)
        return results


# -- bills and their transactions -----------------------------------------------------


@strawberry.type(name="MarketplaceBuyerContact")
class BuyerContact:
    name: str
    phone: str | None
    email: str | None


def _buyer_contact(root: TransactionNode, info: Info) -> BuyerContact:
    txn = root.txn
    return BuyerContact(name=txn.buyer_name, phone=txn.buyer_phone, email=txn.buyer_email)


@strawberry.type(
    name="MarketplaceTransaction",
    description="One order of a marketplace bill (交易明细), with its revenue split.",
)
class TransactionNode(relay.Node):
    key: relay.NodeID[str]
    txn: strawberry.Private[Transaction]

    @classmethod
    def of(cls, txn: Transaction) -> TransactionNode:
        return cls(key=txn.key, txn=txn)

    @strawberry.field
    def order_id(self) -> str:
        return self.txn.order_id

    @strawberry.field
    def bill(self) -> relay.GlobalID:
        return bill_global_id(self.txn.partner_id, self.txn.bill_id)

    @strawberry.field
    def placed_at(self) -> datetime:
        return from_iso(self.txn.placed_at)

    @strawberry.field
    def product(self) -> relay.GlobalID:
        return relay.GlobalID("MarketplaceProduct", self.txn.product_id)

    @strawberry.field
    def product_name(self) -> str:
        return self.txn.product_name

    @strawberry.field
    def category(self) -> ProductCategoryEnum:
        return catalog.ProductCategory(self.txn.category)

    @strawberry.field
    def price_plan_id(self) -> str:
        return self.txn.price_plan_id

    @strawberry.field
    def price_plan_name(self) -> str:
        return self.txn.price_plan_name

    @strawberry.field
    def unit_price(self) -> Money:
        return Money.of(self.txn.unit_price)

    @strawberry.field
    def quantity(self) -> int:
        return self.txn.quantity

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.txn.amount)

    @strawberry.field
    def publisher_share(self) -> Money:
        return Money.of(self.txn.publisher_share)

    @strawberry.field
    def provider_share(self) -> Money:
        return Money.of(self.txn.provider_share)

    @strawberry.field
    def platform_share(self) -> Money:
        return Money.of(self.txn.platform_share)

    @strawberry.field
    def attributed(self) -> bool:
        return self.txn.attributed

    @strawberry.field(description="The share link the order came through.")
    def share_link(self) -> relay.GlobalID | None:
        return (
            relay.GlobalID("MarketplaceShareLink", self.txn.link_id) if self.txn.link_id else None
        )

    @strawberry.field(description="Why the order was not attributed to a provider.")
    def unattributed_reason(self) -> UnattributedReasonEnum | None:
        reason = self.txn.unattributed_reason
        return UnattributedReason(reason) if reason else None

    @strawberry.field(description="The buyer's name, masked (R22 rules).")
    def buyer_name(self) -> str:
        return mask(ColumnKind.NAME, self.txn.buyer_name)

    @strawberry.field(description="The buyer's phone, masked.")
    def buyer_phone(self) -> str | None:
        return mask(ColumnKind.PHONE, self.txn.buyer_phone) if self.txn.buyer_phone else None

    @strawberry.field(description="The buyer's email, masked.")
    def buyer_email(self) -> str | None:
        return mask(ColumnKind.EMAIL, self.txn.buyer_email) if self.txn.buyer_email else None

    buyer_contact: BuyerContact | None = access.guarded(
        "MarketplaceTransaction.buyerContact",
        _buyer_contact,
        "The buyer's name, phone and email in full, for the customer-service provider to "
        "reach its customer.",
    )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        if not has_menu(principal, Menu.MARKETPLACE):
            return [None for _ in node_ids]
        store = TransactionStore(principal.partner_id)
        results = []
        for node_id in node_ids:
            txn = await asyncio.to_thread(store.get, node_id)
            results.append(cls.of(txn) if txn else None)
        return results


@strawberry.type(name="MarketplaceTransactionConnection")
class TransactionConnection(relay.Connection[TransactionNode]):
    pass


@strawberry.type(name="MarketplaceInvoiceRequest")
class InvoiceRequestNode(relay.Node):
    # "<partner_id>:<bill_id>#<request_id>": the provider's operations review requests
    # of every partner, so the ID says whose it is (and the rules say who may read it).
    node_key: relay.NodeID[str]
    request: strawberry.Private[invoices.InvoiceRequest]

    @classmethod
    def of(cls, request: invoices.InvoiceRequest) -> InvoiceRequestNode:
        return cls(node_key=f"{request.partner_id}:{request.key}", request=request)

    @strawberry.field
    def partner(self) -> relay.GlobalID:
        return relay.GlobalID("Partner", self.request.partner_id)

    @strawberry.field
    def bill(self) -> relay.GlobalID:
        return bill_global_id(self.request.partner_id, self.request.bill_id)

    @strawberry.field(description="The invoice title (a company name).")
    def title(self) -> str:
        return self.request.title

    @strawberry.field(description="The buyer's unified social credit code.")
    def tax_number(self) -> str:
        return self.request.tax_number

    @strawberry.field
    def type(self) -> InvoiceTypeEnum:
        return self.request.invoice_type

    @strawberry.field
    def status(self) -> InvoiceStatusEnum:
        return self.request.status

    @strawberry.field(description="The bill's provider share when requested.")
    def amount(self) -> Money:
        return Money.of(self.request.amount)

    @strawberry.field
    def requested_at(self) -> datetime:
        return from_iso(self.request.requested_at)

    @strawberry.field
    def requested_by(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.request.requested_by)

    @strawberry.field
    def reviewed_at(self) -> datetime | None:
        return from_iso_or_none(self.request.reviewed_at)

    @strawberry.field
    def invoice_number(self) -> str | None:
        return self.request.invoice_number

    @strawberry.field
    def rejection_reason(self) -> str | None:
        return self.request.rejection_reason

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            parsed = parse_request_key(node_id)
            request = None
            if parsed is not None:
                request = await asyncio.to_thread(
                    invoices.get_request, info.context.principal, *parsed
                )
            results.append(cls.of(request) if request else None)
        return results


def parse_request_key(node_id: str) -> tuple[str, str] | None:
    partner_id, sep, key = node_id.partition(":")
    if not sep or not partner_id or "#" not in key:
        return None
    return partner_id, key


@strawberry.type(name="MarketplaceInvoiceRequestConnection")
class InvoiceRequestConnection(relay.Connection[InvoiceRequestNode]):
    pass


@strawberry.type(
    name="MarketplaceBill",
    description="A partner's marketplace bill for one "
    "Beijing month and product category; its totals are the sums of its "
    "transactions.",
)
class BillNode(relay.Node):
    node_key: relay.NodeID[str]  # "<partner ID>:<month>.<category>"
    bill: strawberry.Private[bills.Bill]

    @classmethod
    def of(cls, bill: bills.Bill) -> BillNode:
        return cls(node_key=scoped(bill.partner_id, bill.bill_id), bill=bill)

    @strawberry.field(description="The Beijing month, YYYY-MM.")
    def month(self) -> str:
        return self.bill.month

    @strawberry.field
    def category(self) -> ProductCategoryEnum:
        return self.bill.category

    @strawberry.field(
        description="OPEN until 12:00 Beijing time on the 5th of the next "
        "month, then CLOSED (and invoiceable)."
    )
    def status(self) -> BillStatusEnum:
        return self.bill.status(utcnow())

    @strawberry.field
    def closes_at(self) -> datetime:
        return bills.closes_at(self.bill.month)

    @strawberry.field
    def transaction_count(self) -> int:
        return self.bill.transaction_count

    @strawberry.field
    def order_amount(self) -> Money:
        return Money.of(self.bill.order_amount)

    @strawberry.field
    def publisher_share(self) -> Money:
        return Money.of(self.bill.publisher_share)

    @strawberry.field(description="The partner's share: what the split settles to it.")
    def provider_share(self) -> Money:
        return Money.of(self.bill.provider_share)

    @strawberry.field
    def platform_share(self) -> Money:
        return Money.of(self.bill.platform_share)

    @strawberry.field
    def invoiced(self) -> bool:
        return self.bill.invoiced_request is not None

    @strawberry.field(
        description="Whether the bill's details can be exported (R9: bills "
        "of marketplace product solutions)."
    )
    def exportable(self) -> bool:
        return self.bill.category is catalog.ProductCategory.PRODUCT_SOLUTION

    @strawberry.field(description="Invoice requests of this bill, oldest first.")
    async def invoice_requests(self, info: Info) -> list[InvoiceRequestNode]:
        found = await asyncio.to_thread(
            invoices.requests_of_bill, info.context.principal, self.bill.bill_id
        )
        return [InvoiceRequestNode.of(r) for r in found]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        results = []
        for node_id in node_ids:
            found = split(node_id)
            bill = None
            if found is not None and found[0] == principal.partner_id:
                try:
                    bill = await asyncio.to_thread(bills.get_bill, principal, found[1])
                except Forbidden:
                    bill = None
            results.append(cls.of(bill) if bill else None)
        return results
