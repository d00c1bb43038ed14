"""Marketplace: products, share links (R8), bills, transactions, invoice requests and
the storefront's order mutation. Node types are in `marketplace_nodes`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeAlias, TypeVar

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.money import Money
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.api.types.marketplace_nodes import (
    BillNode,
    InvoiceRequestConnection,
    InvoiceRequestNode,
    InvoiceTypeEnum,
    ProductCategoryEnum,
    ProductNode,
    ShareLinkNode,
    TransactionConnection,
    TransactionNode,
    UnattributedReasonEnum,
    load_standing,
    own_bill_id,
    parse_request_key,
)
from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import from_iso
from partner_center.core.errors import BadInput, ClientError, NotFound, Refused
from partner_center.core.permissions import require_menu, require_provider_operations
from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.idempotency.once import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    once,
)
from partner_center.marketplace import bills, catalog, invoices, links, orders
from partner_center.marketplace.attribution import UnattributedReason
from partner_center.marketplace.bill_export import BillDetailsExport, bill_details_export
from partner_center.marketplace.transactions import TransactionFilter, TransactionStore

# Refusals a caller can act on travel in the payload; FORBIDDEN stays a GraphQL error.
PAYLOAD_REFUSALS = (
    BadInput,
    NotFound,
    Refused,
    IdempotencyKeyReused,
    IdempotencyInProgress,
    InvalidIdempotencyKey,
)

P = TypeVar("P")


def _errors(refusal: ClientError) -> list[UserError]:
    return [UserError.from_client_error(refusal)]


def _encode_errors(errors: list[UserError]) -> list[dict[str, Any]]:
    return [{"code": e.code, "field": e.field, "message": e.message} for e in errors]


def _decode_errors(data: list[dict[str, Any]]) -> list[UserError]:
    return [UserError(**e) for e in data]


async def _once(
    principal: Principal,
    operation: str,
    key: str | None,
    request: dict[str, Any],
    run: Callable[[], Awaitable[P]],
    encode: Callable[[P], Any],
    decode: Callable[[Any], P],
    refused: Callable[[list[UserError]], P],
) -> P:
    """Run a mutation once per idempotency key; refusals become payload errors."""

    async def attempt() -> P:
        try:
            return await run()
        except PAYLOAD_REFUSALS as refusal:
            return refused(_errors(refusal))

    try:
        return await once(principal, operation, key, request, attempt, encode=encode, decode=decode)
    except PAYLOAD_REFUSALS as refusal:
        return refused(_errors(refusal))


@strawberry.type(name="MarketplaceProductConnection")
class ProductConnection(relay.Connection[ProductNode]):
    pass


@strawberry.type(name="MarketplaceShareLinkConnection")
class ShareLinkConnection(relay.Connection[ShareLinkNode]):
    pass


@strawberry.type(name="MarketplaceBillConnection")
class BillConnection(relay.Connection[BillNode]):
    pass


# -- inputs ---------------------------------------------------------------------------


@strawberry.input(name="MarketplaceProductFilter")
class ProductFilter:
    category: ProductCategoryEnum | None = None


@strawberry.input(name="MarketplaceShareLinkFilter")
class ShareLinkFilter:
    product_id: relay.GlobalID | None = None


@strawberry.input(
    name="MarketplaceBillFilter", description="Months are Beijing months, YYYY-MM, inclusive."
)
class BillFilterInput:
    month_from: str | None = None
    month_to: str | None = None
    category: ProductCategoryEnum | None = None


@strawberry.input(
    name="MarketplaceTransactionFilter",
    description="Dates are Beijing dates, inclusive; amounts compare the order amount.",
)
class TransactionFilterInput:
    date_from: date | None = None
    date_to: date | None = None
    product_id: relay.GlobalID | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


@strawberry.input(
    description="The marketplace bill details export (R9): one bill of "
    "category PRODUCT_SOLUTION, with the transaction filters."
)
class MarketplaceBillDetailFilter:
    bill_id: relay.GlobalID
    date_from: date | None = None
    date_to: date | None = None
    product_id: relay.GlobalID | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


def _transaction_filter(
    given: TransactionFilterInput | MarketplaceBillDetailFilter | None,
) -> TransactionFilter:
    if given is None:
        return TransactionFilter()
    product_id = None
    if given.product_id is not None:
        product_id = node_id_of(given.product_id, "MarketplaceProduct", "productId")
    return TransactionFilter(
        date_from=given.date_from,
        date_to=given.date_to,
        product_id=product_id,
        min_amount=given.min_amount,
        max_amount=given.max_amount,
    ).validate()


async def bill_details_export_filter(
    info: Info, given: MarketplaceBillDetailFilter | None
) -> BillDetailsExport:
    """The `requestExport` branch of MARKETPLACE_BILL_DETAILS."""
    from partner_center.core.errors import Refused

    if given is None:
        raise BadInput(
            "marketplaceBillDetails with a billId is required", field="marketplaceBillDetails"
        )
    bill_id = own_bill_id(info.context.principal, given.bill_id, "billId")
    flt = _transaction_filter(given)
    try:
        return await asyncio.to_thread(bill_details_export, info.context.principal, bill_id, flt)
    except Refused as refusal:
        raise Refused(refusal.code, refusal.message, "billId") from refusal


# -- queries --------------------------------------------------------------------------


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
        product_id = node_id_of(filter.product_id, "MarketplaceProduct", "productId")
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
    flt = _transaction_filter(filter)
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


# -- share links ------------------------------------------------------------------------


@strawberry.input
class CreateMarketplaceShareLinkInput:
    product_id: relay.GlobalID
    valid_days: int = strawberry.field(
        default=links.DEFAULT_VALID_DAYS, description="1 to 90 days."
    )
    idempotency_key: str | None = None


@strawberry.type
class CreateMarketplaceShareLinkPayload:
    share_link: ShareLinkNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _encode_link_payload(payload: Any) -> dict[str, Any]:
    link = payload.share_link.link if payload.share_link else None
    return {"link": asdict(link) if link else None, "errors": _encode_errors(payload.errors)}


def _link_payload(cls: type[P]) -> Callable[[Any], P]:
    def decode(data: dict[str, Any]) -> P:
        link = links.ShareLink(**data["link"]) if data["link"] else None
        return cls(
            share_link=ShareLinkNode.of(link) if link else None,  # type: ignore[call-arg]
            errors=_decode_errors(data["errors"]),
        )

    return decode


async def create_marketplace_share_link(
    info: Info, input: CreateMarketplaceShareLinkInput
) -> CreateMarketplaceShareLinkPayload:
    principal, settings = info.context.principal, info.context.settings
    payload = CreateMarketplaceShareLinkPayload

    async def run() -> CreateMarketplaceShareLinkPayload:
        product_id = node_id_of(input.product_id, "MarketplaceProduct", "productId")
        link = await asyncio.to_thread(
            links.create_share_link, principal, product_id, input.valid_days, settings
        )
        return payload(share_link=ShareLinkNode.of(link))

    return await _once(
        principal,
        "createMarketplaceShareLink",
        input.idempotency_key,
        {"productId": str(input.product_id), "validDays": input.valid_days},
        run,
        _encode_link_payload,
        _link_payload(payload),
        lambda errors: payload(errors=errors),
    )


@strawberry.input
class RevokeMarketplaceShareLinkInput:
    link_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.type
class RevokeMarketplaceShareLinkPayload:
    share_link: ShareLinkNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def revoke_marketplace_share_link(
    info: Info, input: RevokeMarketplaceShareLinkInput
) -> RevokeMarketplaceShareLinkPayload:
    principal = info.context.principal
    payload = RevokeMarketplaceShareLinkPayload

    async def run() -> RevokeMarketplaceShareLinkPayload:
        link_id = node_id_of(input.link_id, "MarketplaceShareLink", "linkId")
        link = await asyncio.to_thread(links.revoke_share_link, principal, link_id)
        return payload(share_link=ShareLinkNode.of(link))

    return await _once(
        principal,
        "revokeMarketplaceShareLink",
        input.idempotency_key,
        {"linkId": str(input.link_id)},
        run,
        _encode_link_payload,
        _link_payload(payload),
        lambda errors: payload(errors=errors),
    )


# -- orders (the storefront) ----------------------------------------------------------


@strawberry.input(
    description="The buyer, as the storefront collected it (personal data: "
    "stored with the order, masked in exports)."
)
class MarketplaceBuyerInput:
    name: str
    phone: str | None = None
    email: str | None = None


@strawberry.input
class PlaceMarketplaceOrderInput:
    product_id: relay.GlobalID
    price_plan_id: str
    buyer: MarketplaceBuyerInput
    quantity: int = 1
    share_link_ref: str | None = strawberry.field(
        default=None, description="The `ref` parameter of the share link, if any."
    )
    share_token: str | None = strawberry.field(
        default=None, description="The `st` parameter of the share link, if any."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="The storefront's order number: a retry places nothing twice."
    )


@strawberry.type(name="PlacedMarketplaceOrder")
class PlacedOrderType:
    order: strawberry.Private[orders.PlacedOrder]

    @strawberry.field
    def order_id(self) -> str:
        return self.order.order_id

    @strawberry.field
    def attributed(self) -> bool:
        return self.order.attributed

    @strawberry.field(description="The provider the order was attributed to.")
    def provider(self) -> relay.GlobalID | None:
        partner_id = self.order.provider_partner_id
        return relay.GlobalID("Partner", partner_id) if partner_id else None

    @strawberry.field
    def share_link(self) -> relay.GlobalID | None:
        link_id = self.order.link_id
        return relay.GlobalID("MarketplaceShareLink", link_id) if link_id else None

    @strawberry.field(description="Why the order is not attributed (it is accepted anyway).")
    def unattributed_reason(self) -> UnattributedReasonEnum | None:
        reason = self.order.unattributed_reason
        return UnattributedReason(reason) if reason else None

    @strawberry.field
    def product(self) -> relay.GlobalID:
        return relay.GlobalID("MarketplaceProduct", self.order.product_id)

    @strawberry.field
    def price_plan_id(self) -> str:
        return self.order.price_plan_id

    @strawberry.field
    def quantity(self) -> int:
        return self.order.quantity

    @strawberry.field
    def unit_price(self) -> Money:
        return Money.of(self.order.unit_price)

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.order.amount)

    @strawberry.field
    def publisher_share(self) -> Money:
        return Money.of(self.order.publisher_share)

    @strawberry.field
    def provider_share(self) -> Money:
        return Money.of(self.order.provider_share)

    @strawberry.field
    def platform_share(self) -> Money:
        return Money.of(self.order.platform_share)

    @strawberry.field
    def placed_at(self) -> datetime:
        return from_iso(self.order.placed_at)


@strawberry.type
class PlaceMarketplaceOrderPayload:
    order: PlacedOrderType | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _encode_order(payload: PlaceMarketplaceOrderPayload) -> dict[str, Any]:
    return {
        "order": payload.order.order.to_json() if payload.order else None,
        "errors": _encode_errors(payload.errors),
    }


def _decode_order(data: dict[str, Any]) -> PlaceMarketplaceOrderPayload:
    order = orders.PlacedOrder.from_json(data["order"]) if data["order"] else None
    return PlaceMarketplaceOrderPayload(
        order=PlacedOrderType(order=order) if order else None, errors=_decode_errors(data["errors"])
    )


async def place_marketplace_order(
    info: Info, input: PlaceMarketplaceOrderInput
) -> PlaceMarketplaceOrderPayload:
    principal, settings = info.context.principal, info.context.settings

    async def run() -> PlaceMarketplaceOrderPayload:
        product_id = node_id_of(input.product_id, "MarketplaceProduct", "productId")
        request = orders.OrderRequest(
            product_id=product_id,
            price_plan_id=input.price_plan_id,
            quantity=input.quantity,
            buyer=orders.Buyer(
                name=input.buyer.name, phone=input.buyer.phone, email=input.buyer.email
            ),
            link_ref=input.share_link_ref,
            token=input.share_token,
        )
        placed = await asyncio.to_thread(orders.place_order, principal, request, settings)
        return PlaceMarketplaceOrderPayload(order=PlacedOrderType(order=placed))

    # The buyer is hashed into the idempotency record, never stored there in clear.
    request = {
        "productId": str(input.product_id),
        "pricePlanId": input.price_plan_id,
        "quantity": input.quantity,
        "buyer": asdict(
            orders.Buyer(name=input.buyer.name, phone=input.buyer.phone, email=input.buyer.email)
        ),
        "shareLinkRef": input.share_link_ref,
        "shareToken": input.share_token,
    }
    return await _once(
        principal,
        "placeMarketplaceOrder",
        input.idempotency_key,
        request,
        run,
        _encode_order,
        _decode_order,
        lambda errors: PlaceMarketplaceOrderPayload(errors=errors),
    )


# -- invoice requests -------------------------------------------------------------------


@strawberry.input
class RequestMarketplaceInvoiceInput:
    bill_id: relay.GlobalID
    title: str = strawberry.field(description="The invoice title: the buyer company's name.")
    tax_number: str = strawberry.field(
        description="The unified social credit code (18 characters, check character verified)."
    )
    type: InvoiceTypeEnum
    idempotency_key: str | None = None


@strawberry.type
class MarketplaceInvoiceRequestPayload:
    invoice_request: InvoiceRequestNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _encode_invoice(payload: MarketplaceInvoiceRequestPayload) -> dict[str, Any]:
    request = payload.invoice_request.request if payload.invoice_request else None
    return {
        "request": {
            k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(request).items()
        }
        if request
        else None,
        "errors": _encode_errors(payload.errors),
    }


def _decode_invoice(data: dict[str, Any]) -> MarketplaceInvoiceRequestPayload:
    request = None
    if data["request"]:
        values = dict(data["request"])
        values.update(
            amount=Decimal(values["amount"]),
            invoice_type=invoices.InvoiceType(values["invoice_type"]),
            status=invoices.InvoiceStatus(values["status"]),
        )
        request = invoices.InvoiceRequest(**values)
    return MarketplaceInvoiceRequestPayload(
        invoice_request=InvoiceRequestNode.of(request) if request else None,
        errors=_decode_errors(data["errors"]),
    )


def _invoice_refused(errors: list[UserError]) -> MarketplaceInvoiceRequestPayload:
    return MarketplaceInvoiceRequestPayload(errors=errors)


async def request_marketplace_invoice(
    info: Info, input: RequestMarketplaceInvoiceInput
) -> MarketplaceInvoiceRequestPayload:
    principal = info.context.principal

    async def run() -> MarketplaceInvoiceRequestPayload:
        bill_id = own_bill_id(principal, input.bill_id, "billId")
        details = invoices.InvoiceDetails(
            title=input.title, tax_number=input.tax_number, invoice_type=input.type
        )
        request = await asyncio.to_thread(invoices.request_invoice, principal, bill_id, details)
        return MarketplaceInvoiceRequestPayload(invoice_request=InvoiceRequestNode.of(request))

    return await _once(
        principal,
        "requestMarketplaceInvoice",
        input.idempotency_key,
        {
            "billId": str(input.bill_id),
            "title": input.title,
            "taxNumber": input.tax_number,
            "type": input.type.value,
        },
        run,
        _encode_invoice,
        _decode_invoice,
        _invoice_refused,
    )


# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(invoices.Decision, name="MarketplaceInvoiceDecision")
DecisionEnum: TypeAlias = invoices.Decision


@strawberry.input
class ReviewMarketplaceInvoiceRequestInput:
    request_id: relay.GlobalID
    decision: DecisionEnum
    invoice_number: str | None = strawberry.field(default=None, description="Required to issue.")
    reason: str | None = strawberry.field(default=None, description="Required to reject.")
    idempotency_key: str | None = None


async def review_marketplace_invoice_request(
    info: Info, input: ReviewMarketplaceInvoiceRequestInput
) -> MarketplaceInvoiceRequestPayload:
    principal = info.context.principal

    async def run() -> MarketplaceInvoiceRequestPayload:
        node_key = node_id_of(input.request_id, "MarketplaceInvoiceRequest", "requestId")
        parsed = parse_request_key(node_key)
        if parsed is None:
            raise NotFound("no invoice request with this ID", field="requestId")
        reviewed = await asyncio.to_thread(
            invoices.review_invoice,
            principal,
            *parsed,
            input.decision,
            invoice_number=input.invoice_number,
            reason=input.reason,
        )
        return MarketplaceInvoiceRequestPayload(invoice_request=InvoiceRequestNode.of(reviewed))

    return await _once(
        principal,
        "reviewMarketplaceInvoiceRequest",
        input.idempotency_key,
        {
            "requestId": str(input.request_id),
            "decision": input.decision.value,
            "invoiceNumber": input.invoice_number,
            "reason": input.reason,
        },
        run,
        _encode_invoice,
        _decode_invoice,
        _invoice_refused,
    )


# -- root fields ----------------------------------------------------------------------


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


@strawberry.type
class Mutation:
    create_marketplace_share_link: CreateMarketplaceShareLinkPayload = access.mutation(
        "Mutation.createMarketplaceShareLink",
        create_marketplace_share_link,
        "A signed, expiring share link for a product (R8); refused with "
        "NOT_IN_CSP_PROGRAM and friends when the partner may not share it.",
    )
    revoke_marketplace_share_link: RevokeMarketplaceShareLinkPayload = access.mutation(
        "Mutation.revokeMarketplaceShareLink",
        revoke_marketplace_share_link,
        "Stop a share link attributing orders.",
    )
    place_marketplace_order: PlaceMarketplaceOrderPayload = access.mutation(
        "Mutation.placeMarketplaceOrder",
        place_marketplace_order,
        "The storefront's order: priced, attributed by its share link (or recorded "
        "unattributed with the reason), split and billed.",
    )
    request_marketplace_invoice: MarketplaceInvoiceRequestPayload = access.mutation(
        "Mutation.requestMarketplaceInvoice",
        request_marketplace_invoice,
        "Request an invoice for a closed bill; one open request per bill.",
    )
    review_marketplace_invoice_request: MarketplaceInvoiceRequestPayload = access.mutation(
        "Mutation.reviewMarketplaceInvoiceRequest",
        review_marketplace_invoice_request,
        "Issue (with the invoice number) or reject (with a reason) an open request.",
    )
