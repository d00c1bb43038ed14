"""The adjustment records export (Sales > Customers > Adjustment records)."""

from __future__ import annotations

from datetime import date

from partner_center.core.anonymize import ColumnKind
from partner_center.core.auth import Menu
from partner_center.core.clock import beijing_text
from partner_center.core.money import format_amount
from partner_center.customers.adjustments import (
    AdjustmentFilter,
    AdjustmentStore,
    scoped_customers,
)
from partner_center.customers.models import AdjustmentItem
from partner_center.exports.cells import INSTANT, MONEY
from partner_center.exports.columns import Column
from partner_center.exports.kinds import TABLE_FORMATS, ExportKindSpec
from partner_center.exports.plan import ExportPlan
from partner_center.jobs.model import ExportKind, Job

TYPES = {"credit": "调减/Credit", "debit": "调增/Debit"}


COLUMNS: list[Column] = [
    Column("调账ID/Adjustment ID", ColumnKind.PLAIN, lambda r: r.adjustment_id, width=24),
    Column(
        "调账时间(北京时间)/Applied at (UTC+8)",
        ColumnKind.PLAIN,
        lambda r: beijing_text(r.applied_at),
        INSTANT,
    ),
    Column("账单月份/Bill month", ColumnKind.PLAIN, lambda r: r.bill_month, width=12),
    Column("客户ID/Customer ID", ColumnKind.PLAIN, lambda r: r.customer_id, width=18),
    Column("客户名称/Customer name", ColumnKind.NAME, lambda r: r.customer_name, width=20),
    Column(
        "类型/Type", ColumnKind.PLAIN, lambda r: TYPES.get(r.adjustment_type, r.adjustment_type)
    ),
    Column("金额/Amount", ColumnKind.PLAIN, lambda r: format_amount(r.amount), MONEY),
    Column("币种/Currency", ColumnKind.PLAIN, lambda r: r.currency, width=10),
    Column("原因/Reason", ColumnKind.PLAIN, lambda r: r.reason, width=30),
    Column("操作员ID/Operator ID", ColumnKind.PLAIN, lambda r: r.operator_id, width=18),
    Column("操作员/Operator", ColumnKind.NAME, lambda r: r.operator_name),
]


def plan(job: Job) -> ExportPlan:
    flt = AdjustmentFilter.from_json(job.parameters.get("filter", {}))
    customers = scoped_customers(job.partner_id, job.parameters.get("manager_scope"))
    pages = AdjustmentStore(job.partner_id).pages(flt, customers=customers)
    # Records stream oldest first: progress is the fraction of the requested range done.
    start = flt.date_from.toordinal() if flt.date_from else None
    end = flt.date_to.toordinal() if flt.date_to else None

    def progress(item: AdjustmentItem) -> float:
        if start is None or end is None:
            return 0.5
        done = date.fromisoformat(item.bill_date).toordinal() - start + 1
        return min(max(done / (end - start + 1), 0.0), 1.0)

    return ExportPlan(
        columns=COLUMNS, pages=pages, file_stem="adjustment-records", progress=progress
    )


KIND = ExportKindSpec(
    kind=ExportKind.ADJUSTMENT_RECORDS,
    title="Adjustment records",
    menu=Menu.CUSTOMERS,
    formats=TABLE_FORMATS,
    columns=COLUMNS,
    plan=plan,
)
