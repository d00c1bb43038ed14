"""Money is Decimal end to end: parsed from strings, never from floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CURRENCY = "CNY"


class MoneyError(ValueError):
    pass


def parse_amount(text: str) -> Decimal:
    if isinstance(text, float):  # a float has already lost the cents
        raise MoneyError("amounts must be given as strings, not floats")
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise MoneyError("amounts must be finite")
    return value


def format_amount(value: Decimal) -> str:
    """Two decimals at least, more when the stored amount has them (unit prices)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}"
