"""Taxpayer numbers on invoice requests: the unified social credit code (统一社会信用代码).

Since 2015 (GB 32100-2015) a Chinese organisation's taxpayer number is its 18-character
unified social credit code: an alphabet of digits and 21 capital letters (no I, O, S, V,
Z) and a check character over the first 17. The check is verified, so a mistyped number
is refused when requested rather than on the issued invoice. Tax numbers and invoice
titles are company data, not personal data.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(text: str) -> str:
    return "".join(text.split()).upper()


def is_valid(code: str) -> bool:
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return False
    return check_character(code[:17]) == code[17]
