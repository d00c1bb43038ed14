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

The percentile is computed with NumPy on int64 kbps (never floats); the price is applied
afterwards in Decimal (`peak_charge`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np

from partner_center.bills.exact import pricing, to_cent
from partner_center.bills.months import SLOT, Month

MISSING = -1
DROP_PERCENT = 5
SAMPLE_DTYPE = np.dtype("<i8")


def drop_count(n: int) -> int:
    """How many of the highest samples R13 drops from n: floor(5 % of n)."""
    if n <= 0:
        raise ValueError("a billing window needs at least one slot")
    return n * DROP_PERCENT // 100


def billed_rank(n: int) -> int:
    """The rank (1 = highest) of the sample that is billed."""
    return drop_count(n) + 1


def _check(samples: np.ndarray) -> None:
    # Values are validated where they enter: `bandwidth.pack_day` (ingestion) and
    # `bandwidth.unpack_day` (read back). Here any negative value counts as a gap (0).
    if samples.dtype.kind != "i":
        raise TypeError("bandwidth samples must be integer kbps")


def billing_peak(samples: np.ndarray) -> int:
    """The billed kbps of one window of samples (-1 = missing, counted as 0)."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError("one window of samples is a 1-D array")
    _check(samples)
    n = samples.shape[0]
    kth = n - billed_rank(n)  # its index in ascending order
    return max(int(np.partition(samples, kth)[kth]), 0)


def billing_peaks(matrix: np.ndarray) -> np.ndarray:
    """Billed kbps of each row of a (resources × slots) matrix of equal-length windows.

    Gaps (-1) count as 0 without a pass to clear them: max(x, 0) never reorders values,
    so the billed rank of the cleared row is max(that rank of the raw row, 0). One
    `np.partition` (on a copy: the caller's matrix is left alone) does the work, the cost
    bench/peak95.py holds it to.
    """
    if matrix.ndim != 2:
        raise ValueError("a matrix of windows is 2-D")
    _check(matrix)
    n = matrix.shape[1]
    kth = n - billed_rank(n)
    return np.maximum(np.partition(matrix, kth, axis=1)[:, kth], 0)


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


def window_peaks(matrix: np.ndarray, windows: list[tuple[int, int]]) -> list[int]:
    """Billed kbps per row, each over its own window of the month; rows that lived the
    whole month go through `billing_peaks` together."""
    if len(windows) != matrix.shape[0]:
        raise ValueError("one window per row")
    slots = matrix.shape[1]
    result = [0] * len(windows)
    whole = [i for i, (a, b) in enumerate(windows) if (a, b) == (0, slots)]
    if len(whole) == len(windows):
        return [int(v) for v in billing_peaks(matrix)]
    if whole:
        for i, value in zip(whole, billing_peaks(matrix[whole]), strict=True):
            result[i] = int(value)
    for i, (a, b) in enumerate(windows):
        if (a, b) != (0, slots):
            if not 0 <= a < b <= slots:
                raise ValueError("a window must lie inside the month")
            result[i] = billing_peak(matrix[i, a:b])
    return result


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
