"""Refusal codes of payment agreements and request-payment contracts."""

from __future__ import annotations

import enum


class FinanceCode(enum.StrEnum):
    ADVISORY_CUSTOMER = "ADVISORY_CUSTOMER"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONCURRENT_CHANGE = "CONCURRENT_CHANGE"
    DUPLICATE_AGREEMENT = "DUPLICATE_AGREEMENT"
    INVALID_STATUS = "INVALID_STATUS"
    NOT_FOUND = "NOT_FOUND"
