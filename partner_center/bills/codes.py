"""Refusal codes of partner bills: what the payload's `errors { code }` carries."""

from __future__ import annotations

import enum


class BillCode(enum.StrEnum):
    AMOUNT_DUE_NEGATIVE = "AMOUNT_DUE_NEGATIVE"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONCURRENT_CHANGE = "CONCURRENT_CHANGE"
    INVALID_STATUS = "INVALID_STATUS"
    NOT_FOUND = "NOT_FOUND"
