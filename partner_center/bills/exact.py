"""Decimal contexts for money: floats are refused, and sums must be exact.

`sums()` traps FloatOperation (a float slipped into Decimal construction or a
comparison) and Inexact (a sum that would need rounding), so a bill's totals are either
the exact sum of its details or an error, never a silently rounded figure. `pricing()`
also refuses floats and rounds only where a price is explicitly quantized to the cent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, FloatOperation, Inexact, localcontext

CENT = Decimal("0.01")
# Far more digits than any bill needs, so an exact sum never has to round.
PRECISION = 60


@contextmanager
def sums() -> Iterator[None]:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ctx.traps[FloatOperation] = True
        ctx.traps[Inexact] = True
        yield


@contextmanager
def pricing() -> Iterator[None]:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ctx.traps[FloatOperation] = True
        ctx.rounding = ROUND_HALF_UP
        yield


def to_cent(value: Decimal) -> Decimal:
    """Half-up to the cent: the one rounding rule of priced amounts."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
