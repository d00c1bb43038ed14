"""The per-lead result report of a dispatch job, written like an export (R22).

Lead names, contact names and phones are personal data: their columns declare it, and
the export writer's anonymizer masks them.
"""

from __future__ import annotations

from collections.abc import Iterator

from partner_center.core.anonymize import ColumnKind
from partner_center.core.clock import beijing_text
from partner_center.core.ids import global_id
from partner_center.exports.cells import INSTANT
from partner_center.exports.columns import Column
from partner_center.exports.plan import ExportPlan
from partner_center.leads.store import Outcome

PAGE = 200


# IDs as the client sent them (global IDs), so each row joins back to the request.
COLUMNS: list[Column] = [
    Column("线索ID/Lead ID", ColumnKind.PLAIN, lambda o: global_id("Lead", o.lead_id)),
    Column("线索名称/Lead name", ColumnKind.NAME, lambda o: o.lead.name if o.lead else ""),
    Column("联系人/Contact", ColumnKind.NAME, lambda o: o.lead.contact_name if o.lead else ""),
    Column("联系电话/Phone", ColumnKind.PHONE, lambda o: o.lead.contact_phone if o.lead else ""),
    Column("结果/Result", ColumnKind.PLAIN, lambda o: "SUCCEEDED" if o.succeeded else "FAILED"),
    Column("原因/Reason", ColumnKind.PLAIN, lambda o: o.reason.value if o.reason else ""),
    Column("原状态/Status before", ColumnKind.PLAIN, lambda o: o.from_status or ""),
    Column("新状态/Status after", ColumnKind.PLAIN, lambda o: o.to_status or ""),
    Column(
        "专人ID/Staff ID",
        ColumnKind.PLAIN,
        lambda o: global_id("User", o.staff_id) if o.staff_id else "",
    ),
    Column(
        "时间(北京时间)/At (UTC+8)",
        ColumnKind.PLAIN,
        lambda o: beijing_text(o.occurred_at),
        INSTANT,
    ),
]


def _pages(outcomes: list[Outcome]) -> Iterator[list[Outcome]]:
    for start in range(0, len(outcomes), PAGE):
        yield outcomes[start : start + PAGE]


def plan(outcomes: list[Outcome], file_stem: str) -> ExportPlan:
    return ExportPlan(
        columns=COLUMNS, pages=_pages(outcomes), file_stem=file_stem, progress=lambda _: 1.0
    )
