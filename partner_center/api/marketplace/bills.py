"""The partner's side of the marketplace: its bills, their transactions (交易明细) and
the invoice requests of a bill."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import scoped
from partner_center.api.core.loaders import nodes_of
from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.marketplace.enums import (
    BillStatusEnum,
    InvoiceStatusEnum,
    InvoiceTypeEnum,
    ProductCategoryEnum,
    UnattributedReasonEnum,
)
from partner_center.api.marketplace.loaders import (
    bill_loader,
    invoice_request_loader,
    transaction_loader,
)
from partner_center.core.anonymize import ColumnKind, mask
from partner_center.core.auth import Menu
from partner_center.core.clock import from_iso, from_iso_or_none, utcnow
from partner_center.core.permissions import has_menu
from partner_center.marketplace import bills, catalog, invoices
from partner_center.marketplace.attribution import UnattributedReason
from partner_center.marketplace.transactions import Transaction


def bill_global_id(partner_id: str, bill_id: str) -> relay.GlobalID:
    """A marketplace bill's global ID: bill IDs (`2026-09.saas`) repeat across partners,
    so the partner is part of it, as for partner bills."""
    return relay.GlobalID("MarketplaceBill", scoped(partner_id, bill_id))


# -- transactions -----------------------------------------------------------------------


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
    # In full only for those the access table lets reach their customer (R22).
    buyer_contact: BuyerContact | None = access.guarded(
        "MarketplaceTransaction.buyerContact",
        _buyer_contact,
        "The buyer's name, phone and email in full, for the customer-service provider to "
        "reach its customer.",
    )
    order_id: str
    bill: relay.GlobalID
    placed_at: datetime
    product: relay.GlobalID
    product_name: str
    category: ProductCategoryEnum
    price_plan_id: str
    price_plan_name: str
    unit_price: Money
    quantity: int
    amount: Money
    publisher_share: Money
    provider_share: Money
    platform_share: Money
    attributed: bool
    share_link: relay.GlobalID | None = strawberry.field(
        description="The share link the order came through."
    )
    unattributed_reason: UnattributedReasonEnum | None = strawberry.field(
        description="Why the order was not attributed to a provider."
    )
    # R22: the buyer's personal data is masked for every reader of the list.
    buyer_name: str = strawberry.field(description="The buyer's name, masked (R22 rules).")
    buyer_phone: str | None = strawberry.field(description="The buyer's phone, masked.")
    buyer_email: str | None = strawberry.field(description="The buyer's email, masked.")

    @classmethod
    def of(cls, txn: Transaction) -> TransactionNode:
        reason = txn.unattributed_reason
        return cls(
            key=txn.key,
            txn=txn,
            order_id=txn.order_id,
            bill=bill_global_id(txn.partner_id, txn.bill_id),
            placed_at=from_iso(txn.placed_at),
            product=relay.GlobalID("MarketplaceProduct", txn.product_id),
            product_name=txn.product_name,
            category=catalog.ProductCategory(txn.category),
            price_plan_id=txn.price_plan_id,
            price_plan_name=txn.price_plan_name,
            unit_price=Money.of(txn.unit_price),
            quantity=txn.quantity,
            amount=Money.of(txn.amount),
            publisher_share=Money.of(txn.publisher_share),
            provider_share=Money.of(txn.provider_share),
            platform_share=Money.of(txn.platform_share),
            attributed=txn.attributed,
            share_link=relay.GlobalID("MarketplaceShareLink", txn.link_id) if txn.link_id else None,
            unattributed_reason=UnattributedReason(reason) if reason else None,
            buyer_name=mask(ColumnKind.NAME, txn.buyer_name),
            buyer_phone=mask(ColumnKind.PHONE, txn.buyer_phone) if txn.buyer_phone else None,
            buyer_email=mask(ColumnKind.EMAIL, txn.buyer_email) if txn.buyer_email else None,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        if not has_menu(info.context.principal, Menu.MARKETPLACE):
            return [None for _ in node_ids]
        return await nodes_of(transaction_loader(info), node_ids, cls.of)


@strawberry.type(name="MarketplaceTransactionConnection")
class TransactionConnection(relay.Connection[TransactionNode]):
    pass


# -- invoice requests -------------------------------------------------------------------


@strawberry.type(name="MarketplaceInvoiceRequest")
class InvoiceRequestNode(LoadedNode, relay.Node):
    # "<partner_id>:<bill_id>#<request_id>": the provider's operations review requests
    # of every partner, so the ID says whose it is (and the rules say who may read it).
    node_key: relay.NodeID[str]
    request: strawberry.Private[invoices.InvoiceRequest]
    partner: relay.GlobalID
    bill: relay.GlobalID
    title: str = strawberry.field(description="The invoice title (a company name).")
    tax_number: str = strawberry.field(description="The buyer's unified social credit code.")
    type: InvoiceTypeEnum
    status: InvoiceStatusEnum
    amount: Money = strawberry.field(description="The bill's provider share when requested.")
    requested_at: datetime
    requested_by: relay.GlobalID
    reviewed_at: datetime | None
    invoice_number: str | None
    rejection_reason: str | None

    @classmethod
    def of(cls, request: invoices.InvoiceRequest) -> InvoiceRequestNode:
        return cls(
            node_key=f"{request.partner_id}:{request.key}",
            request=request,
            partner=relay.GlobalID("Partner", request.partner_id),
            bill=bill_global_id(request.partner_id, request.bill_id),
            title=request.title,
            tax_number=request.tax_number,
            type=request.invoice_type,
            status=request.status,
            amount=Money.of(request.amount),
            requested_at=from_iso(request.requested_at),
            requested_by=relay.GlobalID("User", request.requested_by),
            reviewed_at=from_iso_or_none(request.reviewed_at),
            invoice_number=request.invoice_number,
            rejection_reason=request.rejection_reason,
        )

    node_loader = invoice_request_loader


@strawberry.type(name="MarketplaceInvoiceRequestConnection")
class InvoiceRequestConnection(relay.Connection[InvoiceRequestNode]):
    pass


# -- bills ------------------------------------------------------------------------------


def _bill_status(root: BillNode) -> BillStatusEnum:
    # Read when asked: a bill closes with time, not with a write.
    return root.bill.status(utcnow())


@strawberry.type(
    name="MarketplaceBill",
    description="A partner's marketplace bill for one "
    "Beijing month and product category; its totals are the sums of its "
    "transactions.",
)
class BillNode(LoadedNode, relay.Node):
    node_key: relay.NodeID[str]  # "<partner ID>:<month>.<category>"
    bill: strawberry.Private[bills.Bill]
    month: str = strawberry.field(description="The Beijing month, YYYY-MM.")
    category: ProductCategoryEnum
    status: BillStatusEnum = strawberry.field(
        resolver=_bill_status,
        description="OPEN until 12:00 Beijing time on the 5th of the next "
        "month, then CLOSED (and invoiceable).",
    )
    closes_at: datetime
    transaction_count: int
    order_amount: Money
    publisher_share: Money
    provider_share: Money = strawberry.field(
        description="The partner's share: what the split settles to it."
    )
    platform_share: Money
    invoiced: bool
    exportable: bool = strawberry.field(
        description="Whether the bill's details can be exported (R9: bills "
        "of marketplace product solutions)."
    )

    @classmethod
    def of(cls, bill: bills.Bill) -> BillNode:
        return cls(
            node_key=scoped(bill.partner_id, bill.bill_id),
            bill=bill,
            month=bill.month,
            category=bill.category,
            closes_at=bills.closes_at(bill.month),
            transaction_count=bill.transaction_count,
            order_amount=Money.of(bill.order_amount),
            publisher_share=Money.of(bill.publisher_share),
            provider_share=Money.of(bill.provider_share),
            platform_share=Money.of(bill.platform_share),
            invoiced=bill.invoiced_request is not None,
            # R9: only the details of product solutions' bills are exported.
            exportable=bill.category is catalog.ProductCategory.PRODUCT_SOLUTION,
        )

    @strawberry.field(description="Invoice requests of this bill, oldest first.")
    async def invoice_requests(self, info: Info) -> list[InvoiceRequestNode]:
        found = await asyncio.to_thread(
            invoices.requests_of_bill, info.context.principal, self.bill.bill_id
        )
        return [InvoiceRequestNode.of(r) for r in found]

    node_loader = bill_loader


@strawberry.type(name="MarketplaceBillConnection")
class BillConnection(relay.Connection[BillNode]):
    pass
