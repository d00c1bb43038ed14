"""Bank account numbers: accepted once, kept only as a mask and a keyed hash.

The whole number is never stored, returned, logged or exported. The keyed hash
(HMAC-SHA256 under the deployment's account hash key, from SSM; per partner) lets the
system recognise the same account again (one live agreement per account) without being
able to recover the number: a plain hash of a 16–19 digit card number could be reversed
by trying them all.
"""

from __future__ import annotations

import hashlib
import hmac

from partner_center.config import DEVELOPMENT_ACCOUNT_HASH_KEY, get_settings
from partner_center.core.anonymize import mask_bank_account
from partner_center.core.errors import BadInput

# Only ever used outside production (like the local JWT secret); config refuses it there.
DEVELOPMENT_KEY = DEVELOPMENT_ACCOUNT_HASH_KEY
MIN_DIGITS, MAX_DIGITS = 8, 30
_SEPARATORS = str.maketrans("", "", " -\t\u3000")


def _key() -> bytes:
    # Settings refuse the development key in production, and the API a missing one at
    # start-up; a function whose environment names no key holds none, and hashes nothing.
    key = get_settings().account_hash_key
    if not key:
        raise RuntimeError("this function's environment names no account hash key")
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
