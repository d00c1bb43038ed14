"""The consumption details a month's bill covers, read as one key range.

Reads are strongly consistent: the peak-billing details written moments before the
bill is generated must be on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from partner_center.bills.months import Month
from partner_center.bills.rollup import BillingDataError
from partner_center.core.clock import to_iso
from partner_center.storage.models import ConsumptionLine, CustomerItem

PAGE_SIZE = 1000


def month_details(
    partner_id: str, month: Month, page_size: int = PAGE_SIZE
) -> Iterator[ConsumptionLine]:
    """Every detail charged in the Beijing month, in time order.

    The key range is [00:00 Beijing on the 1st, 24:00 Beijing on the last day): a charge
    at 23:30 on the 31st (15:30 UTC) is in, one at 00:30 on the 1st of the next month
    (16:30 UTC the day before) is out.
    """
    low = to_iso(month.start)
    # "~" sorts after "#<id>": the range ends just before the next month's first instant.
    high = to_iso(month.end - timedelta(microseconds=1)) + "~"
    first, last = str(month.first_day), str(month.last_day)
    for line in ConsumptionLine.query(
        partner_id,
        ConsumptionLine.line_key.between(low, high),
        consistent_read=True,
        page_size=page_size,
    ):
        if not first <= line.bill_date <= last:
            raise BillingDataError(
                f"consumption detail {line.line_id} is dated "
                f"{line.bill_date} but charged in {month}"
            )
        yield line


def partner_customers(partner_id: str) -> dict[str, CustomerItem]:
    return {c.customer_id: c for c in CustomerItem.query(partner_id)}
