"""The marketplace bill details export (R9): the transactions of one bill of category
"marketplace product solution", anonymized (R22: buyers' names, phones and emails)."""

from __future__ import annotations

from partner_center.core.anonymize import ColumnKind
from partner_center.core.auth import Menu
from partner_center.core.clock import beijing_text, from_iso
from partner_center.core.money import CURRENCY, format_amount
from partner_center.exports.cells import COUNT, INSTANT, MONEY
from partner_center.exports.columns import Column
from partner_center.exports.kinds import TABLE_FORMATS, ExportKindSpec
from partner_center.exports.plan import ExportPlan
from partner_center.jobs.model import ExportKind, Job
from partner_center.marketplace.bills import month_range, split_bill_id
from partner_center.marketplace.transactions import Transaction, TransactionFilter, TransactionStore

COLUMNS: list[Column] = [
    Column("订单ID/Order ID", ColumnKind.PLAIN, lambda t: t.order_id, width=24),
    Column("账单/Bill", ColumnKind.PLAIN, lambda t: t.bill_id, width=24),
    Column(
        "下单时间(北京时间)/Placed at (UTC+8)",
        ColumnKind.PLAIN,
        lambda r: beijing_text(r.placed_at),
        INSTANT,
    ),
    Column("商品ID/Product ID", ColumnKind.PLAIN, lambda t: t.product_id),
    Column("商品名称/Product", ColumnKind.PLAIN, lambda t: t.product_name, width=24),
    Column("价格套餐/Price plan", ColumnKind.PLAIN, lambda t: t.price_plan_name, width=20),
    Column("单价/Unit price", ColumnKind.PLAIN, lambda t: format_amount(t.unit_price), MONEY),
    Column("数量/Quantity", ColumnKind.PLAIN, lambda t: str(t.quantity), COUNT),
    Column("订单金额/Order amount", ColumnKind.PLAIN, lambda t: format_amount(t.amount), MONEY),
    Column(
        "发布商分成/Publisher share",
        ColumnKind.PLAIN,
        lambda t: format_amount(t.publisher_share),
        MONEY,
    ),
    Column(
        "服务商分成/Provider share",
        ColumnKind.PLAIN,
        lambda t: format_amount(t.provider_share),
        MONEY,
    ),
    Column(
        "平台分成/Platform share",
        ColumnKind.PLAIN,
        lambda t: format_amount(t.platform_share),
        MONEY,
    ),
    Column("币种/Currency", ColumnKind.PLAIN, lambda t: CURRENCY, width=10),
    Column("分享链接/Share link", ColumnKind.PLAIN, lambda t: t.link_id or ""),
    Column("买家/Buyer", ColumnKind.NAME, lambda t: t.buyer_name),
    Column("买家手机/Buyer phone", ColumnKind.PHONE, lambda t: t.buyer_phone, width=14),
    Column("买家邮箱/Buyer email", ColumnKind.EMAIL, lambda t: t.buyer_email, width=24),
]


def plan(job: Job) -> ExportPlan:
    parameters = job.parameters.get("filter", {})
    bill_id = str(parameters["bill_id"])
    parsed = split_bill_id(bill_id)
    if parsed is None:
        raise ValueError("the job names no marketplace bill")
    flt = TransactionFilter.from_json(parameters)
    month, _ = parsed
    # Progress: how far into the bill's month the last written order was placed.
    start, end = (instant.timestamp() for instant in month_range(month))

    def progress(txn: Transaction) -> float:
        placed = from_iso(txn.placed_at).timestamp()
        return min(max((placed - start) / max(end - start, 1.0), 0.0), 1.0)

    return ExportPlan(
        columns=COLUMNS,
        pages=TransactionStore(job.partner_id).pages(bill_id, flt),
        file_stem=f"marketplace-bill-{bill_id.replace('.', '-')}",
        progress=progress,
    )


KIND = ExportKindSpec(
    kind=ExportKind.MARKETPLACE_BILL_DETAILS,
    title="Marketplace bill details",
    menu=Menu.MARKETPLACE,
    formats=TABLE_FORMATS,
    columns=COLUMNS,
    plan=plan,
)
