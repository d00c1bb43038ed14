"""The details of a partner bill: every consumption detail the bill covers (R4, R12).

Those are the details of the bill's month (Beijing time) of the customers on the bill,
which were the partner's reseller customers when it was generated; the columns are
those of the consumption details export, names masked (R22).
"""

from __future__ import annotations

from collections.abc import Iterator

from partner_center.bills.details import month_details
from partner_center.bills.store import BillStore
from partner_center.core.auth import Menu
from partner_center.core.clock import from_iso
from partner_center.exports.kinds import TABLE_FORMATS, ExportKindSpec
from partner_center.exports.kinds.consumption_details import COLUMNS
from partner_center.exports.kinds.partner_bill import bill_of
from partner_center.exports.plan import ExportPlan
from partner_center.jobs.model import ExportKind, Job
from partner_center.storage.models import ConsumptionLine

PAGE_SIZE = 1000


def _pages(
    lines: Iterator[ConsumptionLine], customers: set[str]
) -> Iterator[list[ConsumptionLine]]:
    page: list[ConsumptionLine] = []
    for line in lines:
        if line.customer_id in customers:
            page.append(line)
            if len(page) >= PAGE_SIZE:
                yield page
                page = []
    if page:
        yield page


def plan(job: Job) -> ExportPlan:
    bill = bill_of(job)
    customers = {
        item.customer_id for page in BillStore(job.partner_id).item_pages(bill) for item in page
    }
    start = bill.month.start.timestamp()
    span = bill.month.end.timestamp() - start

    def progress(line: ConsumptionLine) -> float:
        return min(max((from_iso(line.charged_at).timestamp() - start) / span, 0.0), 1.0)

    return ExportPlan(
        columns=COLUMNS,
        pages=_pages(month_details(job.partner_id, bill.month), customers),
        file_stem=f"partner-bill-details-{bill.month}",
        progress=progress,
    )


KIND = ExportKindSpec(
    kind=ExportKind.PARTNER_BILL_DETAILS,
    title="Partner bill details",
    menu=Menu.BILLING,
    formats=TABLE_FORMATS,
    columns=COLUMNS,
    plan=plan,
)
