"""The partner bill as a PDF (Sales > Billing > Partner bill, "export PDF").

The cover holds the bill's figures, the table its items by customer, product and billing
mode. Customer and partner names are columns of kind NAME: they reach the file through
the same anonymizer as every export (R22).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from partner_center.bills.bill import Bill, BillItem
from partner_center.bills.months import Month
from partner_center.bills.store import BillStore
from partner_center.core.anonymize import ColumnKind
from partner_center.core.auth import Menu
from partner_center.core.clock import beijing_text
from partner_center.core.money import CURRENCY, format_amount
from partner_center.exports.cells import COUNT, MONEY
from partner_center.exports.columns import Column
from partner_center.exports.kinds import DOCUMENT_FORMATS, ExportKindSpec
from partner_center.exports.plan import Cover, ExportPlan
from partner_center.jobs.model import ExportKind, Job
from partner_center.storage.models import DirectoryItem

STATUS_LABELS = {
    "generated": "已出账/Generated",
    "confirmed": "已确认/Confirmed",
    "paid": "已还款/Paid",
}
MODE_LABELS = {
    "on_demand": "按需/On demand",
    "yearly_monthly": "包年包月/Yearly-monthly",
    "reserved": "预留实例/Reserved",
    "peak_95": "月结95峰值/Monthly 95th peak",
}


class BillNotFound(Exception):
    """The job names a bill that does not exist (never generated)."""


@dataclass(frozen=True)
class CoverRecord:
    bill: Bill
    partner_name: str
    adjustment_count: int


def _money(value: Decimal) -> str:
    return f"{format_amount(value)} {CURRENCY}"


COVER_FIELDS: list[Column] = [
    Column("账单月份/Bill month", ColumnKind.PLAIN, lambda r: str(r.bill.month)),
    Column("伙伴/Partner", ColumnKind.NAME, lambda r: r.partner_name),
    Column("伙伴ID/Partner ID", ColumnKind.PLAIN, lambda r: r.bill.partner_id),
    Column("状态/Status", ColumnKind.PLAIN, lambda r: STATUS_LABELS[r.bill.status.value]),
    Column(
        "消费金额/Consumption total", ColumnKind.PLAIN, lambda r: _money(r.bill.consumption_total)
    ),
    Column(
        "调账/Adjustments",
        ColumnKind.PLAIN,
        lambda r: f"{_money(r.bill.adjustment_total)} ({r.adjustment_count})",
    ),
    Column("应付金额/Amount due", ColumnKind.PLAIN, lambda r: _money(r.bill.amount_due)),
    Column("客户数/Customers", ColumnKind.PLAIN, lambda r: str(r.bill.customer_count)),
    Column("明细数/Consumption details", ColumnKind.PLAIN, lambda r: str(r.bill.detail_count)),
    Column(
        "数据截至(北京时间)/Data as of (UTC+8)",
        ColumnKind.PLAIN,
        lambda r: beijing_text(r.bill.data_as_of),
    ),
    Column(
        "出账时间(北京时间)/Generated at (UTC+8)",
        ColumnKind.PLAIN,
        lambda r: beijing_text(r.bill.generated_at),
    ),
]

COLUMNS: list[Column] = [
    Column("客户ID/Customer ID", ColumnKind.PLAIN, lambda i: i.customer_id, width=18),
    Column("客户名称/Customer name", ColumnKind.NAME, lambda i: i.customer_name, width=20),
    Column("产品/Product", ColumnKind.PLAIN, lambda i: i.product),
    Column(
        "计费模式/Billing mode",
        ColumnKind.PLAIN,
        lambda i: MODE_LABELS.get(i.billing_mode, i.billing_mode),
    ),
    Column("明细数/Details", ColumnKind.PLAIN, lambda i: str(i.detail_count), COUNT),
    Column("金额/Amount", ColumnKind.PLAIN, lambda i: format_amount(i.amount), MONEY),
]


def bill_of(job: Job) -> Bill:
    month = Month.parse(str(job.parameters.get("filter", {}).get("bill_id", "")))
    bill = BillStore(job.partner_id).get(month)
    if bill is None:
        raise BillNotFound(str(month))
    return bill


def _partner_name(partner_id: str) -> str:
    try:
        return DirectoryItem.get(partner_id, "PARTNER").name
    except DirectoryItem.DoesNotExist:
        return ""


def plan(job: Job) -> ExportPlan:
    bill = bill_of(job)
    store = BillStore(job.partner_id)
    record = CoverRecord(
        bill=bill,
        partner_name=_partner_name(job.partner_id),
        adjustment_count=len(store.adjustments(bill.month)),
    )
    count = max(bill.item_count, 1)

    def progress(item: BillItem) -> float:
        return min(item.seq / count, 1.0)

    return ExportPlan(
        columns=COLUMNS,
        pages=store.item_pages(bill),
        file_stem=f"partner-bill-{bill.month}",
        progress=progress,
        cover=Cover(
            title=f"伙伴账单 / Partner bill {bill.month}", fields=COVER_FIELDS, record=record
        ),
    )


KIND = ExportKindSpec(
    kind=ExportKind.PARTNER_BILL,
    title="Partner bill",
    menu=Menu.BILLING,
    formats=DOCUMENT_FORMATS,
    columns=COLUMNS,
    plan=plan,
)
