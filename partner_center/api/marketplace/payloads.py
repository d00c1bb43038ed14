"""The marketplace mutations' payloads: what was changed, or why nothing was."""

from __future__ import annotations

import strawberry

from partner_center.api.core.mutations import Outcome
from partner_center.api.core.payloads import Payload
from partner_center.api.marketplace.bills import InvoiceRequestNode
from partner_center.api.marketplace.types import PlacedOrderType, ShareLinkNode
from partner_center.marketplace import invoices, links, orders


@strawberry.type
class CreateMarketplaceShareLinkPayload(Payload):
    share_link: ShareLinkNode | None = None

    @classmethod
    def of(cls, outcome: Outcome[links.ShareLink]) -> CreateMarketplaceShareLinkPayload:
        link = outcome.result
        return cls(share_link=ShareLinkNode.of(link) if link else None, errors=outcome.errors)


@strawberry.type
class RevokeMarketplaceShareLinkPayload(Payload):
    share_link: ShareLinkNode | None = None

    @classmethod
    def of(cls, outcome: Outcome[links.ShareLink]) -> RevokeMarketplaceShareLinkPayload:
        link = outcome.result
        return cls(share_link=ShareLinkNode.of(link) if link else None, errors=outcome.errors)


@strawberry.type
class PlaceMarketplaceOrderPayload(Payload):
    order: PlacedOrderType | None = None

    @classmethod
    def of(cls, outcome: Outcome[orders.PlacedOrder]) -> PlaceMarketplaceOrderPayload:
        order = outcome.result
        return cls(order=PlacedOrderType.of(order) if order else None, errors=outcome.errors)


@strawberry.type
class MarketplaceInvoiceRequestPayload(Payload):
    invoice_request: InvoiceRequestNode | None = None

    @classmethod
    def of(cls, outcome: Outcome[invoices.InvoiceRequest]) -> MarketplaceInvoiceRequestPayload:
        request = outcome.result
        return cls(
            invoice_request=InvoiceRequestNode.of(request) if request else None,
            errors=outcome.errors,
        )
