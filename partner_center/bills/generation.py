"""Generating a partner's bill of a month: the function the schedule and the CLI run.

Idempotent: a month whose bill exists is returned as it is (the same bill, not a
duplicate), and racing runs resolve in the table (see `store.BillStore.create`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from partner_center.bills.bill import Bill
from partner_center.bills.details import month_details, partner_customers
from partner_center.bills.months import Month
from partner_center.bills.peak_charges import record_peak_charges
from partner_center.bills.rollup import roll_up
from partner_center.bills.store import BillStore
from partner_center.bills.timing import data_cutoff, month_has_ended
from partner_center.core.logs import fields, get_logger

log = get_logger(__name__)


class MonthNotEnded(Exception):
    """A month still running in Beijing time has no bill yet (R10, R12)."""


@dataclass(frozen=True)
class Generated:
    bill: Bill
    created: bool
    peak_resources: int = 0
    peak_details_written: int = 0
    advisory_details: int = 0


def generate(partner_id: str, month: Month, now: datetime) -> Generated:
    if not month_has_ended(month, now):
        raise MonthNotEnded(str(month))
    store = BillStore(partner_id)
    existing = store.get(month)
    if existing is not None:
        return Generated(bill=existing, created=False)
    customers = partner_customers(partner_id)
    peaks, _ = record_peak_charges(partner_id, month, {cid: c.name for cid, c in customers.items()})
    rollup = roll_up(
        month_details(partner_id, month), {cid: c.association for cid, c in customers.items()}
    )
    bill, created = store.create(month, rollup, data_as_of=data_cutoff(now), generated_at=now)
    log.info(
        "partner bill generated" if created else "partner bill existed already",
        extra=fields(
            partner_id=partner_id,
            month=str(month),
            items=bill.item_count,
            details=bill.detail_count,
            peak_resources=peaks.resources,
        ),
    )
    return Generated(
        bill=bill,
        created=created,
        peak_resources=peaks.resources,
        peak_details_written=peaks.written,
        advisory_details=rollup.advisory_detail_count,
    )
