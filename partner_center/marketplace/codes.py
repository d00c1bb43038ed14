"""Refusal codes of the marketplace (share links, invoices, the bill-details export)."""

from __future__ import annotations

import enum


class MarketplaceCode(enum.StrEnum):
    BILL_ALREADY_INVOICED = "BILL_ALREADY_INVOICED"
    BILL_NOT_CLOSED = "BILL_NOT_CLOSED"
    BILL_NOT_EXPORTABLE = "BILL_NOT_EXPORTABLE"
    INVOICE_REQUEST_NOT_OPEN = "INVOICE_REQUEST_NOT_OPEN"
    INVOICE_REQUEST_OPEN = "INVOICE_REQUEST_OPEN"
    LINK_ALREADY_REVOKED = "LINK_ALREADY_REVOKED"
    NOTHING_TO_INVOICE = "NOTHING_TO_INVOICE"
    PRODUCT_NOT_LISTED = "PRODUCT_NOT_LISTED"
