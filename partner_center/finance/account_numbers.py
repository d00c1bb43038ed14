"""Bank account numbers: accepted once, kept only as a mask and a keyed hash.

The whole number is never stored, returned, logged or exported. The keyed hash
(HMAC-SHA256 under `PC_ACCOUNT_HASH_KEY`, per partner) lets the system recognise the
same account again (one live agreement per account) without being able to recover the
number: a plain hash of a 16–19 digit card number could be reversed by trying them all.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from partner_center.config import get_settings
from partner_center.core.anonymize import mask_bank_account
from partner_center.core.errors import BadInput

KEY_ENV = "PC_ACCOUNT_HASH_KEY"
# Only ever used outside production (like the local JWT secret).
DEVELOPMENT_KEY = "partner-center-local-account-hash-key-not-for-production"
MIN_DIGITS, MAX_DIGITS = 8, 30
_SEPARATORS = str.maketrans("", "", " -\t\u3000")


def _key() -> bytes:
    key = os.environ.get(KEY_ENV) or ""
    if not key:
        if get_settings().is_production:
            raise RuntimeError(f"{KEY_ENV} must be set in production")
        key = DEVELOPMENT_KEY
    elif get_settings().is_production and key == DEVELOPMENT_KEY:
        raise RuntimeError("the development account hash key cannot be used in production")
    return key.encode()


def normalize(text: str) -> str:
    """The digits of an account number; the message never echoes the input."""
    digits = (text or "").translate(_SEPARATORS)
    if not (digits.isascii() and digits.isdigit() and MIN_DIGITS <= len(digits) <= MAX_DIGITS):
        raise BadInput(
            f"accountNumber must be {MIN_DIGITS} to {MAX_DIGITS} digits "
            "(spaces and dashes allowed)",
            field="accountNumber",
        )
    return digits


def fingerprint(partner_id: str, digits: str) -> str:
    return hmac.new(_key(), f"{partner_id}:{digits}".encode(), hashlib.sha256).hexdigest()


def masked(digits: str) -> str:
    return mask_bank_account(digits)
