"""The marketplace's root queries."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.marketplace.bills import (
    BillConnection,
    BillNode,
    InvoiceRequestConnection,
    InvoiceRequestNode,
    TransactionConnection,
    TransactionNode,
)
from partner_center.api.marketplace.inputs import (
    BillFilterInput,
    ProductFilter,
    ShareLinkFilter,
    TransactionFilterInput,
    own_bill_id,
    product_id_of,
    transaction_filter,
)
from partner_center.api.marketplace.loaders import load_standing
from partner_center.api.marketplace.types import (
    ProductConnection,
    ProductNode,
    ShareLinkConnection,
    ShareLinkNode,
)
from partner_center.core.auth import Menu
from partner_center.core.errors import BadInput, NotFound
from partner_center.core.permissions import require_menu, require_provider_operations
from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.marketplace import bills, catalog, invoices, links
from partner_center.marketplace.transactions import TransactionStore


async def marketplace_products(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: ProductFilter | None = None,
) -> ProductConnection:
    principal = info.context.principal
    require_menu(principal, Menu.MARKETPLACE)
    page = page_request(first, after, "mpproduct")
    category = filter.category if filter else None
    found, has_next = await asyncio.to_thread(
        catalog.page_products,
        category=category,
        listed_only=True,
        after_product_id=page.after,
        limit=page.size,
    )
    standing = await load_standing(principal.partner_id)
    nodes = [ProductNode.of(p, standing) for p in found]
    return build_connection(
        ProductConnection, nodes, has_next, "mpproduct", lambda n: n.product_id, after
    )


async def marketplace_share_links(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: ShareLinkFilter | None = None,
) -> ShareLinkConnection:
    principal = info.context.principal
    require_menu(principal, Menu.MARKETPLACE)
    page = page_request(first, after, "mplink")
    product_id = None
    if filter and filter.product_id is not None:
        product_id = product_id_of(filter.product_id)
    store = links.ShareLinkStore(principal.partner_id)
    found, has_next = await asyncio.to_thread(
        store.page, product_id=product_id, after_link_id=page.after, limit=page.size
    )
    nodes = [ShareLinkNode.of(link) for link in found]
    return build_connection(
        ShareLinkConnection, nodes, has_next, "mplink", lambda n: n.link_id, after
    )


async def marketplace_bills(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: BillFilterInput | None = None,
) -> BillConnection:
    page = page_request(first, after, "mpbill")
    given = filter or BillFilterInput()
    flt = bills.BillFilter(
        month_from=given.month_from, month_to=given.month_to, category=given.category
    )
    found, has_next = await asyncio.to_thread(
        bills.list_bills, info.context.principal, flt, after_bill_id=page.after, limit=page.size
    )
    nodes = [BillNode.of(bill) for bill in found]
    return build_connection(
        BillConnection, nodes, has_next, "mpbill", lambda n: n.bill.bill_id, after
    )


async def marketplace_bill(info: Info, id: relay.GlobalID) -> BillNode:
    bill_id = own_bill_id(info.context.principal, id, "id")
    bill = await asyncio.to_thread(bills.get_bill, info.context.principal, bill_id)
    if bill is None:
        raise NotFound("no marketplace bill with this ID")
    return BillNode.of(bill)


async def marketplace_transactions(
    info: Info,
    bill_id: relay.GlobalID,
    first: int | None = None,
    after: str | None = None,
    filter: TransactionFilterInput | None = None,
) -> TransactionConnection:
    principal = info.context.principal
    local_bill_id = own_bill_id(principal, bill_id, "billId")
    page = page_request(first, after, "mptxn")
    if page.after is not None and not page.after.startswith(local_bill_id + "#"):
        raise BadInput("after is not a cursor from this connection", field="after")
    flt = transaction_filter(filter)
    bill = await asyncio.to_thread(bills.get_bill, principal, local_bill_id)
    if bill is None:
        raise NotFound("no marketplace bill with this ID", field="billId")
    store = TransactionStore(principal.partner_id)
    found, has_next = await asyncio.to_thread(
        store.page, bill.bill_id, flt, after_key=page.after, limit=page.size
    )
    nodes = [TransactionNode.of(txn) for txn in found]
    return build_connection(TransactionConnection, nodes, has_next, "mptxn", lambda n: n.key, after)


async def pending_marketplace_invoice_requests(
    info: Info, first: int | None = None, after: str | None = None
) -> InvoiceRequestConnection:
    page = page_request(first, after, "mpreview")
    found, has_next = await asyncio.to_thread(
        invoices.pending_reviews,
        info.context.principal,
        after_request_id=page.after,
        limit=page.size,
    )
    nodes = [InvoiceRequestNode.of(r) for r in found]
    return build_connection(
        InvoiceRequestConnection, nodes, has_next, "mpreview", lambda n: n.request.request_id, after
    )


async def unattributed_marketplace_orders(
    info: Info, month: str, first: int | None = None, after: str | None = None
) -> TransactionConnection:
    """Orders no share link attributed, with their reasons (the platform partition)."""
    require_provider_operations(info.context.principal)
    bills.parse_month(month, "month")
    page = page_request(first, after, "mpunattributed")
    if page.after is not None and not page.after.startswith(month + "."):
        raise BadInput("after is not a cursor from this connection", field="after")
    store = TransactionStore(PLATFORM_PARTITION)
    found, has_next = await asyncio.to_thread(
        store.page_month, month, after_key=page.after, limit=page.size
    )
    nodes = [TransactionNode.of(txn) for txn in found]
    return build_connection(
        TransactionConnection, nodes, has_next, "mpunattributed", lambda n: n.key, after
    )


@strawberry.type
class Query:
    marketplace_products: ProductConnection = access.query(
        "Query.marketplaceProducts",
        marketplace_products,
        "Listed marketplace products with their price plans, split rule and whether the "
        "caller's partner may share them.",
    )
    marketplace_share_links: ShareLinkConnection = access.query(
        "Query.marketplaceShareLinks",
        marketplace_share_links,
        "The partner's share links, newest first.",
    )
    marketplace_bills: BillConnection = access.query(
        "Query.marketplaceBills",
        marketplace_bills,
        "The partner's marketplace bills, newest month first.",
    )
    marketplace_bill: BillNode = access.query(
        "Query.marketplaceBill",
        marketplace_bill,
        "A marketplace bill by ID; NOT_FOUND when it is not the partner's.",
    )
    marketplace_transactions: TransactionConnection = access.query(
        "Query.marketplaceTransactions",
        marketplace_transactions,
        "The transaction details of one bill, in time order, filtered.",
    )
    pending_marketplace_invoice_requests: InvoiceRequestConnection = access.query(
        "Query.pendingMarketplaceInvoiceRequests",
        pending_marketplace_invoice_requests,
        "Invoice requests of every partner awaiting review, oldest first.",
    )
    unattributed_marketplace_orders: TransactionConnection = access.query(
        "Query.unattributedMarketplaceOrders",
        unattributed_marketplace_orders,
        "Orders of a Beijing month (YYYY-MM) that no share link attributed, with why.",
    )
