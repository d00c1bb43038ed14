"""The marketplace's mutations: share links (R8), the storefront's order, and invoice
requests with their review. Each runs once per idempotency key (`run_mutation`)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from decimal import Decimal
from typing import Any

import strawberry

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.mutations import run_mutation
from partner_center.api.marketplace.inputs import (
    CreateMarketplaceShareLinkInput,
    PlaceMarketplaceOrderInput,
    RequestMarketplaceInvoiceInput,
    ReviewMarketplaceInvoiceRequestInput,
    RevokeMarketplaceShareLinkInput,
    own_bill_id,
    parse_request_key,
    product_id_of,
)
from partner_center.api.marketplace.payloads import (
    CreateMarketplaceShareLinkPayload,
    MarketplaceInvoiceRequestPayload,
    PlaceMarketplaceOrderPayload,
    RevokeMarketplaceShareLinkPayload,
)
from partner_center.core.errors import NotFound
from partner_center.marketplace import invoices, links, orders

# -- share links ------------------------------------------------------------------------


def _decode_link(data: dict[str, Any]) -> links.ShareLink:
    return links.ShareLink(**data)


async def create_marketplace_share_link(
    info: Info, input: CreateMarketplaceShareLinkInput
) -> CreateMarketplaceShareLinkPayload:
    principal, settings = info.context.principal, info.context.settings

    async def create() -> links.ShareLink:
        product_id = product_id_of(input.product_id)
        return await asyncio.to_thread(
            links.create_share_link, principal, product_id, input.valid_days, settings
        )

    outcome = await run_mutation(
        principal,
        "createMarketplaceShareLink",
        input.idempotency_key,
        {"productId": str(input.product_id), "validDays": input.valid_days},
        create,
        encode=asdict,
        decode=_decode_link,
    )
    return CreateMarketplaceShareLinkPayload.of(outcome)


async def revoke_marketplace_share_link(
    info: Info, input: RevokeMarketplaceShareLinkInput
) -> RevokeMarketplaceShareLinkPayload:
    principal = info.context.principal

    async def revoke() -> links.ShareLink:
        link_id = node_id_of(input.link_id, "MarketplaceShareLink", "linkId")
        return await asyncio.to_thread(links.revoke_share_link, principal, link_id)

    outcome = await run_mutation(
        principal,
        "revokeMarketplaceShareLink",
        input.idempotency_key,
        {"linkId": str(input.link_id)},
        revoke,
        encode=asdict,
        decode=_decode_link,
    )
    return RevokeMarketplaceShareLinkPayload.of(outcome)


# -- orders (the storefront) ----------------------------------------------------------


async def place_marketplace_order(
    info: Info, input: PlaceMarketplaceOrderInput
) -> PlaceMarketplaceOrderPayload:
    principal, settings = info.context.principal, info.context.settings

    async def place() -> orders.PlacedOrder:
        order = input.order_request()
        return await asyncio.to_thread(orders.place_order, principal, order, settings)

    # The buyer is hashed into the idempotency record, never stored there in clear.
    request = {
        "productId": str(input.product_id),
        "pricePlanId": input.price_plan_id,
        "quantity": input.quantity,
        "buyer": asdict(input.buyer.to_buyer()),
        "shareLinkRef": input.share_link_ref,
        "shareToken": input.share_token,
    }
    outcome = await run_mutation(
        principal,
        "placeMarketplaceOrder",
        input.idempotency_key,
        request,
        place,
        encode=orders.PlacedOrder.to_json,
        decode=orders.PlacedOrder.from_json,
    )
    return PlaceMarketplaceOrderPayload.of(outcome)


# -- invoice requests -------------------------------------------------------------------


def _encode_invoice(request: invoices.InvoiceRequest) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(request).items()}


def _decode_invoice(data: dict[str, Any]) -> invoices.InvoiceRequest:
    values = dict(data)
    values.update(
        amount=Decimal(values["amount"]),
        invoice_type=invoices.InvoiceType(values["invoice_type"]),
        status=invoices.InvoiceStatus(values["status"]),
    )
    return invoices.InvoiceRequest(**values)


async def request_marketplace_invoice(
    info: Info, input: RequestMarketplaceInvoiceInput
) -> MarketplaceInvoiceRequestPayload:
    principal = info.context.principal

    async def request() -> invoices.InvoiceRequest:
        bill_id = own_bill_id(principal, input.bill_id, "billId")
        details = invoices.InvoiceDetails(
            title=input.title, tax_number=input.tax_number, invoice_type=input.type
        )
        return await asyncio.to_thread(invoices.request_invoice, principal, bill_id, details)

    outcome = await run_mutation(
        principal,
        "requestMarketplaceInvoice",
        input.idempotency_key,
        {
            "billId": str(input.bill_id),
            "title": input.title,
            "taxNumber": input.tax_number,
            "type": input.type.value,
        },
        request,
        encode=_encode_invoice,
        decode=_decode_invoice,
    )
    return MarketplaceInvoiceRequestPayload.of(outcome)


async def review_marketplace_invoice_request(
    info: Info, input: ReviewMarketplaceInvoiceRequestInput
) -> MarketplaceInvoiceRequestPayload:
    principal = info.context.principal

    async def review() -> invoices.InvoiceRequest:
        node_key = node_id_of(input.request_id, "MarketplaceInvoiceRequest", "requestId")
        parsed = parse_request_key(node_key)
        if parsed is None:
            raise NotFound("no invoice request with this ID", field="requestId")
        return await asyncio.to_thread(
            invoices.review_invoice,
            principal,
            *parsed,
            input.decision,
            invoice_number=input.invoice_number,
            reason=input.reason,
        )

    outcome = await run_mutation(
        principal,
        "reviewMarketplaceInvoiceRequest",
        input.idempotency_key,
        {
            "requestId": str(input.request_id),
            "decision": input.decision.value,
            "invoiceNumber": input.invoice_number,
            "reason": input.reason,
        },
        review,
        encode=_encode_invoice,
        decode=_decode_invoice,
    )
    return MarketplaceInvoiceRequestPayload.of(outcome)


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
