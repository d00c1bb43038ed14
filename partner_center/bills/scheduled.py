"""The scheduled bill run: last month's bill for every partner (R11).

EventBridge invokes it (see serverless.yml) at 02:00 and again at 09:00 Beijing time on
the 5th; the second run only fills in what the first could not, since generation is
idempotent. `partner-center bills generate` calls the same handler locally, with the
month (and optionally partners) in the event.

One partner's failure does not stop the others; the run still fails at the end (so the
schedule's retries and alarms see it), naming partners by ID only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from partner_center.bills.events import bill_generated
from partner_center.bills.generation import MonthNotEnded, generate
from partner_center.bills.months import Month
from partner_center.bills.timing import month_has_ended, month_to_generate
from partner_center.core.clock import utcnow
from partner_center.core.logs import fields, get_logger
from partner_center.storage.models import DirectoryItem

log = get_logger(__name__)


@dataclass
class RunReport:
    month: str
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class BillRunFailed(Exception):
    """Some partners' bills could not be generated; they are retried on the next run."""

    def __init__(self, report: RunReport) -> None:
        super().__init__(
            f"{len(report.failed)} partner bills of {report.month} failed: "
            f"{', '.join(report.failed)}"
        )
        self.report = report


def partner_ids() -> list[str]:
    """Every partner in the directory. A scan, once a month, of partner entries only."""
    return sorted(
        item.partner_id
        for item in DirectoryItem.scan(
            DirectoryItem.entity == "PARTNER", attributes_to_get=["partner_id", "entity"]
        )
    )


def _instant(event: dict[str, Any]) -> datetime:
    """The schedule's own fire time (EventBridge's `time`), so a delayed or retried
    invocation still bills the month it was meant for."""
    text = event.get("time")
    if not text:
        return utcnow()
    instant = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def run(event: dict[str, Any], now: datetime | None = None) -> RunReport:
    now = now or _instant(event)
    month = Month.parse(event["month"]) if event.get("month") else month_to_generate(now)
    if not month_has_ended(month, now):
        raise MonthNotEnded(str(month))
    partners = event.get("partners") or partner_ids()
    report = RunReport(month=str(month))
    for partner_id in partners:
        try:
            generated = generate(str(partner_id), month, now)
            # Also for a bill found existing: its event is recorded once, so a run
            # retried after a crash publishes what the first could not.
            bill_generated(generated.bill)
        except Exception as exc:
            log.error(
                "partner bill not generated",
                exc_info=exc,
                extra=fields(partner_id=partner_id, month=str(month)),
            )
            report.failed.append(partner_id)
            continue
        (report.created if generated.created else report.existing).append(partner_id)
    log.info(
        "bill run finished",
        extra=fields(
            month=str(month),
            created=len(report.created),
            existing=len(report.existing),
            failed=len(report.failed),
        ),
    )
    if report.failed:
        raise BillRunFailed(report)
    return report


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return asdict(run(event or {}))
