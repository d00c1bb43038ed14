"""The marketplace's inputs, and the functions that read them as domain values: IDs
within the caller's partner, transaction filters, the bill details export's filter."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of, scoped_id_of
from partner_center.api.marketplace.enums import DecisionEnum, InvoiceTypeEnum, ProductCategoryEnum
from partner_center.core.auth import Principal
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.marketplace import links, orders
from partner_center.marketplace.bill_export import BillDetailsExport, bill_details_export
from partner_center.marketplace.transactions import TransactionFilter

# -- IDs --------------------------------------------------------------------------------


def product_id_of(global_id: relay.GlobalID, field: str = "productId") -> str:
    return node_id_of(global_id, "MarketplaceProduct", field)


def own_bill_id(principal: Principal, global_id: relay.GlobalID, field: str) -> str:
    """The bill ID within the caller's partner; another partner's bill is NOT_FOUND, as
    one that does not exist."""
    partner_id, bill_id = scoped_id_of(global_id, "MarketplaceBill", field)
    if partner_id != principal.partner_id:
        raise NotFound("no marketplace bill with this ID", field=field)
    return bill_id


def parse_request_key(node_id: str) -> tuple[str, str] | None:
    """(partner ID, request key) of an invoice request's node ID, or None."""
    partner_id, sep, key = node_id.partition(":")
    if not sep or not partner_id or "#" not in key:
        return None
    return partner_id, key


# -- filters ----------------------------------------------------------------------------


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


def transaction_filter(
    given: TransactionFilterInput | MarketplaceBillDetailFilter | None,
) -> TransactionFilter:
    if given is None:
        return TransactionFilter()
    product_id = product_id_of(given.product_id) if given.product_id is not None else None
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
    if given is None:
        raise BadInput(
            "marketplaceBillDetails with a billId is required", field="marketplaceBillDetails"
        )
    bill_id = own_bill_id(info.context.principal, given.bill_id, "billId")
    flt = transaction_filter(given)
    try:
        return await asyncio.to_thread(bill_details_export, info.context.principal, bill_id, flt)
    except Refused as refusal:
        raise Refused(refusal.code, refusal.message, "billId") from refusal


# -- mutations --------------------------------------------------------------------------


@strawberry.input
class CreateMarketplaceShareLinkInput:
    product_id: relay.GlobalID
    valid_days: int = strawberry.field(
        default=links.DEFAULT_VALID_DAYS, description="1 to 90 days."
    )
    idempotency_key: str | None = None


@strawberry.input
class RevokeMarketplaceShareLinkInput:
    link_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.input(
    description="The buyer, as the storefront collected it (personal data: "
    "stored with the order, masked in exports)."
)
class MarketplaceBuyerInput:
    name: str
    phone: str | None = None
    email: str | None = None

    def to_buyer(self) -> orders.Buyer:
        return orders.Buyer(name=self.name, phone=self.phone, email=self.email)


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

    def order_request(self) -> orders.OrderRequest:
        return orders.OrderRequest(
            product_id=product_id_of(self.product_id),
            price_plan_id=self.price_plan_id,
            quantity=self.quantity,
            buyer=self.buyer.to_buyer(),
            link_ref=self.share_link_ref,
            token=self.share_token,
        )


@strawberry.input
class RequestMarketplaceInvoiceInput:
    bill_id: relay.GlobalID
    title: str = strawberry.field(description="The invoice title: the buyer company's name.")
    tax_number: str = strawberry.field(
        description="The unified social credit code (18 characters, check character verified)."
    )
    type: InvoiceTypeEnum
    idempotency_key: str | None = None


@strawberry.input
class ReviewMarketplaceInvoiceRequestInput:
    request_id: relay.GlobalID
    decision: DecisionEnum
    invoice_number: str | None = strawberry.field(default=None, description="Required to issue.")
    reason: str | None = strawberry.field(default=None, description="Required to reject.")
    idempotency_key: str | None = None
