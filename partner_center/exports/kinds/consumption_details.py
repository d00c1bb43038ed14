"""The consumption details export (Sales > Customers > Consumption details)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from partner_center.consumption.filters import ConsumptionFilter
from partner_center.consumption.store import ConsumptionStore, managed_customers
from partner_center.core.anonymize import ColumnKind
from partner_center.core.auth import Menu
from partner_center.core.clock import beijing_day_range, beijing_text, from_iso, utcnow
from partner_center.core.money import CURRENCY, format_amount
from partner_center.exports.cells import DATE, INSTANT, MONEY, QUANTITY
from partner_center.exports.columns import Column
from partner_center.exports.kinds import TABLE_FORMATS, ExportKindSpec
from partner_center.exports.plan import ExportPlan
from partner_center.jobs.model import ExportKind, Job
from partner_center.storage.models import ConsumptionLine

COLUMNS: list[Column] = [
    Column("明细ID/Line ID", ColumnKind.PLAIN, lambda r: r.line_id, width=24),
    Column("账单日期/Bill date", ColumnKind.PLAIN, lambda r: r.bill_date, DATE),
    Column(
        "扣费时间(北京时间)/Charged at (UTC+8)",
        ColumnKind.PLAIN,
        lambda r: beijing_text(r.charged_at),
        INSTANT,
    ),
    Column("客户ID/Customer ID", ColumnKind.PLAIN, lambda r: r.customer_id, width=18),
    Column("客户名称/Customer name", ColumnKind.NAME, lambda r: r.customer_name, width=20),
    Column("产品/Product", ColumnKind.PLAIN, lambda r: r.product),
    Column("资源ID/Resource ID", ColumnKind.PLAIN, lambda r: r.resource_id, width=24),
    Column("计费模式/Billing mode", ColumnKind.PLAIN, lambda r: r.billing_mode),
    Column("用量/Usage", ColumnKind.PLAIN, lambda r: format(r.usage, "f"), QUANTITY),
    Column("用量单位/Unit", ColumnKind.PLAIN, lambda r: r.usage_unit, width=10),
    Column("金额/Amount", ColumnKind.PLAIN, lambda r: format_amount(r.amount), MONEY),
    Column("币种/Currency", ColumnKind.PLAIN, lambda r: CURRENCY, width=10),
]


def _scoped(
    pages: Iterator[list[ConsumptionLine]], visible: dict[str, date]
) -> Iterator[list[ConsumptionLine]]:
    """R2 and R5 for a customer manager: only assigned customers, from the day after
    their assignment."""
    for page in pages:
        kept = [
            line
            for line in page
            if line.customer_id in visible
            and date.fromisoformat(line.bill_date) >= visible[line.customer_id]
        ]
        if kept:
            yield kept


def plan(job: Job) -> ExportPlan:
    flt = ConsumptionFilter.from_json(job.parameters.get("filter", {}))
    store = ConsumptionStore(job.partner_id)
    pages = store.pages(flt)
    manager = job.parameters.get("manager_scope")
    if manager:
        pages = _scoped(pages, managed_customers(job.partner_id, manager))
    # Lines stream in time order, so progress is the share of the time range covered:
    # from the first line read to the end of the filter's range (or now). That costs no
    # query of its own, where asking DynamoDB for the first and last keys would cost two.
    end = (beijing_day_range(flt.date_to, flt.date_to)[1] if flt.date_to else utcnow()).timestamp()
    start: list[float] = []

    def progress(line: ConsumptionLine) -> float:
        at = from_iso(line.charged_at).timestamp()
        if not start:
            start.append(at)
        return min(max((at - start[0]) / max(end - start[0], 1.0), 0.0), 1.0)

    return ExportPlan(
        columns=COLUMNS, pages=pages, file_stem="consumption-details", progress=progress
    )


KIND = ExportKindSpec(
    kind=ExportKind.CONSUMPTION_DETAILS,
    title="Consumption details",
    menu=Menu.CUSTOMERS,
    formats=TABLE_FORMATS,
    columns=COLUMNS,
    plan=plan,
)
