"""The marketplace table: one table, one model per kind of item, told apart by key prefix.

Hash key: the partner ID (or `PLATFORM_PARTITION` for the catalogue and unattributed
orders). Range keys:

| item | range key | where |
|---|---|---|
| product | `PRODUCT#<product_id>` | platform |
| share link | `LINK#<link_id>` | the provider |
| bill | `BILL#<bill_id>` (`<YYYY-MM>.<category>`) | the provider, or platform |
| transaction (order) | `TXN#<bill_id>#<placed_at UTC ISO>#<order_id>` | same as its bill |
| invoice request | `INVREQ#<request_id>` | the provider |
| review queue entry | `INVREVIEW#<request_id>` | platform |

A bill's transactions are one key range in time order: listing, filtering by date and
exporting stream without an index.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute
from partner_center.storage.registry import register

TABLE_KEY = "marketplace"


class _MarketplaceItem(Model):
    class Meta:
        table_name = "partner-center-marketplace"

    partner_id = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)


class PricePlanAttribute(MapAttribute):
    plan_id = UnicodeAttribute()
    name = UnicodeAttribute()
    price = DecimalAttribute()
    period = UnicodeAttribute()  # "once" | "month" | "year"


class ProductItem(_MarketplaceItem):
    class Meta(_MarketplaceItem.Meta):
        pass

    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute()
    publisher = UnicodeAttribute()
    summary = UnicodeAttribute(null=True)
    listed = BooleanAttribute(default=True)
    shareable = BooleanAttribute(default=True)  # may be shared by CSP partners (R8)
    price_plans = ListAttribute(of=PricePlanAttribute, default=list)
    # Percentages with at most two decimals, summing to 100 (split.SplitRule).
    publisher_percent = DecimalAttribute()
    provider_percent = DecimalAttribute()
    platform_percent = DecimalAttribute()


class ShareLinkItem(_MarketplaceItem):
    class Meta(_MarketplaceItem.Meta):
        pass

    link_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    product_name = UnicodeAttribute()
    token = UnicodeAttribute()
    key_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    status = UnicodeAttribute()  # active | revoked
    revoked_at = UnicodeAttribute(null=True)


class BillItem(_MarketplaceItem):
    class Meta(_MarketplaceItem.Meta):
        pass

    bill_id = UnicodeAttribute()
    month = UnicodeAttribute()  # Beijing month, YYYY-MM
    category = UnicodeAttribute()
    transaction_count = NumberAttribute(default=0)
    order_amount = DecimalAttribute()
    publisher_share = DecimalAttribute()
    provider_share = DecimalAttribute()
    platform_share = DecimalAttribute()
    # The one open invoice request, and the request that was issued: written only by
    # conditional updates, so two requests can never be open together.
    open_invoice_request = UnicodeAttribute(null=True)
    invoiced_request = UnicodeAttribute(null=True)


class TransactionItem(_MarketplaceItem):
    """One order as its bill sees it (交易明细)."""

    class Meta(_MarketplaceItem.Meta):
        pass

    order_id = UnicodeAttribute()
    bill_id = UnicodeAttribute()
    placed_at = UnicodeAttribute()
    product_id = UnicodeAttribute()
    product_name = UnicodeAttribute()
    category = UnicodeAttribute()
    price_plan_id = UnicodeAttribute()
    price_plan_name = UnicodeAttribute()
    unit_price = DecimalAttribute()
    quantity = NumberAttribute()
    amount = DecimalAttribute()
    publisher_share = DecimalAttribute()
    provider_share = DecimalAttribute()
    platform_share = DecimalAttribute()
    attributed = BooleanAttribute()
    link_id = UnicodeAttribute(null=True)
    unattributed_reason = UnicodeAttribute(null=True)
    # Personal data: never logged, masked in exports and (but for administrators) in the API.
    buyer_name = UnicodeAttribute()
    buyer_phone = UnicodeAttribute(null=True)
    buyer_email = UnicodeAttribute(null=True)


class InvoiceRequestItem(_MarketplaceItem):
    class Meta(_MarketplaceItem.Meta):
        pass

    request_id = UnicodeAttribute()
    bill_id = UnicodeAttribute()
    title = UnicodeAttribute()
    tax_number = UnicodeAttribute()
    invoice_type = UnicodeAttribute()
    amount = DecimalAttribute()
    status = UnicodeAttribute()  # requested | issued | rejected
    requested_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    reviewed_by = UnicodeAttribute(null=True)
    reviewed_at = UnicodeAttribute(null=True)
    invoice_number = UnicodeAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)


class InvoiceReviewItem(_MarketplaceItem):
    """The platform's queue of requests awaiting review: which partner, which request."""

    class Meta(_MarketplaceItem.Meta):
        pass

    request_id = UnicodeAttribute()
    request_partner_id = UnicodeAttribute()
    bill_id = UnicodeAttribute()
    requested_at = UnicodeAttribute()


for _model in (
    ProductItem,
    ShareLinkItem,
    BillItem,
    TransactionItem,
    InvoiceRequestItem,
    InvoiceReviewItem,
):
    register(_model, TABLE_KEY)
