"""The marketplace's enums, registered under their GraphQL names."""

from __future__ import annotations

import enum
from typing import TypeAlias

import strawberry

from partner_center.marketplace import bills, catalog, invoices
from partner_center.marketplace.attribution import UnattributedReason

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
strawberry.enum(invoices.Decision, name="MarketplaceInvoiceDecision")
DecisionEnum: TypeAlias = invoices.Decision
strawberry.enum(UnattributedReason, name="MarketplaceUnattributedReason")
UnattributedReasonEnum: TypeAlias = UnattributedReason


@strawberry.enum(name="MarketplaceShareLinkStatus")
class ShareLinkStatus(enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"  # past its expiry: orders through it are not attributed
    REVOKED = "revoked"
