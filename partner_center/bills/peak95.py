"""Monthly 95th-percentile peak billing (R13), on integer kbps samples.

R13: take every 5-minute bandwidth sample of the month, sort them from high to low, drop
the highest 5 %, and bill the highest remaining sample. The choices R13 leaves open:

- **"The top 5 %"** of n samples is floor(n × 5 / 100) samples, in integer arithmetic:
  8,640 samples (30 days) drop 432 and bill the 433rd highest; 8,928 (31 days) drop 446
  (446.4 rounded down) and bill the 447th. Rounding down drops no sample that is not
  fully inside the top 5 %, the usual reading of "95th percentile" billing.
- **Missing samples** (monitoring gaps) inside the resource's lifetime count as 0 kbps:
  n stays the number of 5-minute slots, so a gap can only lower the bill, never raise it
  (the gap is the provider's, not the customer's).
- **Resources that lived part of the month** are measured over their lifetime only:
  n is the number of slots from the one they were created in to the one they were
  deleted in, and the price is prorated by n over the month's slots.
- Samples outside the lifetime are ignored.

The percentile is computed in plain Python on int64 kbps (never floats): a heap of the
billed rank's highest samples per resource (`heapq.nlargest`), 1.3 ms for a 31-day month
of 8,928 samples, so about 13 s for 10,000 resources in a run with a 900 s timeout
(bench/peak95.py, docs/performance.md). NumPy did it 100 times faster, and cost the bill
run's function 44 MiB and a fifth of its cold start. The price is applied afterwards in
Decimal (`peak_charge`).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from partner_center.bills.exact import pricing, to_cent
from partner_center.bills.months import SLOT, Month

MISSING = -1
DROP_PERCENT = 5
# Samples are int64 kbps: an `array` of this type code holds a window without a Python
# object per sample; stored days are its bytes, little-endian (`bandwidth.pack_day`).
SAMPLE_TYPECODE = "q"
SAMPLE_BYTES = 8
# Type codes of signed integers (an array of any other holds no kbps).
_INTEGER_TYPECODES = frozenset("bhilq")


def drop_count(n: int) -> int:
    """How many of the highest samples R13 drops from n: floor(5 % of n)."""
    if n <= 0:
        raise ValueError("a billing window needs at least one slot")
    return n * DROP_PERCENT // 100


def billed_rank(n: int) -> int:
    """The rank (1 = highest) of the sample that is billed."""
    return drop_count(n) + 1


def _check(samples: Sequence[int]) -> None:
    # Values are validated where they enter: `bandwidth.pack_day` (ingestion) and
    # `bandwidth.unpack_day` (read back). Here any negative value counts as a gap (0).
    typecode = getattr(samples, "typecode", None)
    if typecode is not None:
        if typecode not in _INTEGER_TYPECODES:
            raise TypeError("bandwidth samples must be integer kbps")
        return
    kind = getattr(getattr(samples, "dtype", None), "kind", None)
    if kind is not None:  # an array of another library (the benchmark's NumPy)
        if kind != "i":
            raise TypeError("bandwidth samples must be integer kbps")
        return
    if any(isinstance(v, bool) or not isinstance(v, int) for v in samples):
        raise TypeError("bandwidth samples must be integer kbps")


def billing_peak(samples: Sequence[int]) -> int:
    """The billed kbps of one window of samples (-1 = missing, counted as 0).

    Gaps count as 0 without a pass to clear them: max(x, 0) never reorders values, so
    the billed rank of the cleared window is max(that rank of the raw window, 0). The
    rank-th highest is the smallest of the `rank` highest: a heap of that size, filled
    in one pass, and the caller's samples are left as they are.
    """
    if isinstance(samples, str | bytes) or getattr(samples, "ndim", 1) != 1:
        raise ValueError("one window of samples is a 1-D sequence")
    _check(samples)
    n = len(samples)
    return max(int(heapq.nlargest(billed_rank(n), samples)[-1]), 0)


def billing_peaks(matrix: Sequence[Sequence[int]]) -> list[int]:
    """Billed kbps of each row of (resources × slots) windows of equal length."""
    if getattr(matrix, "ndim", 2) != 2:
        raise ValueError("a matrix of windows is 2-D")
    return [billing_peak(row) for row in matrix]


def slot_window(
    month: Month, active_from: datetime, active_until: datetime | None
) -> tuple[int, int]:
    """The month's slots [first, last) a resource lived in: from the slot it was created in
    to the slot it was deleted in (inclusive of partial slots). (0, 0) if none."""
    start = max(active_from, month.start)
    end = min(active_until or month.end, month.end)
    if end <= start:
        return 0, 0
    first = (start - month.start) // SLOT
    last = -((month.start - end) // SLOT)  # ceiling division
    return first, last


def window_peaks(rows: Sequence[Sequence[int]], windows: list[tuple[int, int]]) -> list[int]:
    """Billed kbps per row (a whole month of slots each), each over its own window."""
    if len(windows) != len(rows):
        raise ValueError("one window per row")
    result = []
    for row, (a, b) in zip(rows, windows, strict=True):
        if (a, b) == (0, len(row)):
            result.append(billing_peak(row))
            continue
        if not 0 <= a < b <= len(row):
            raise ValueError("a window must lie inside the month")
        result.append(billing_peak(row[a:b]))
    return result


def new_row(slots: int) -> array[int]:
    """A month of `slots` samples, every one missing until filled."""
    return array(SAMPLE_TYPECODE, [MISSING]) * slots


@dataclass(frozen=True)
class PeakCharge:
    billed_kbps: int
    billed_mbps: Decimal
    window_slots: int
    month_slots: int
    amount: Decimal


def peak_charge(
    billed_kbps: int, price_per_mbps_month: Decimal, window_slots: int, month_slots: int
) -> PeakCharge:
    """Price the billed bandwidth: Mbps × monthly price × lifetime share, to the cent."""
    if not isinstance(billed_kbps, int) or isinstance(billed_kbps, bool) or billed_kbps < 0:
        raise TypeError("the billed bandwidth is a non-negative integer of kbps")
    if not isinstance(price_per_mbps_month, Decimal):
        raise TypeError("prices must be Decimal")
    if not 0 < window_slots <= month_slots:
        raise ValueError("the window must be 1 to month_slots slots")
    with pricing():
        mbps = Decimal(billed_kbps) / Decimal(1000)  # exact: kbps are integers
        amount = to_cent(mbps * price_per_mbps_month * Decimal(window_slots) / Decimal(month_slots))
    return PeakCharge(
        billed_kbps=billed_kbps,
        billed_mbps=mbps,
        window_slots=window_slots,
        month_slots=month_slots,
        amount=amount,
    )
