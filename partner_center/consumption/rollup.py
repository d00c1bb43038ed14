"""The daily consumption roll-up: sums of the details per customer and per partner, by
Beijing day (R4: the details stay the final word; the roll-up only adds them up).

A day is rolled up once it is closed (R3: from 24:00 of D+1, Beijing time), by the
`consumptionRollup` schedule at 00:30 Beijing, which also catches up any day of the last
week a failed run missed. Rolling a day again rewrites the same sums: the details of a
closed day do not change, so a re-run is harmless. Only after every customer's sum is
written is the day added to the partner item's `rolled` set, which is what readers trust.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from pynamodb.expressions.update import Action

from partner_center.consumption.availability import last_available_day
from partner_center.consumption.filters import ConsumptionFilter
from partner_center.consumption.models import RollupItem
from partner_center.consumption.store import ConsumptionStore
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.errors import BadInput
from partner_center.core.logs import fields, get_logger
from partner_center.storage.models import ConsumptionLine, DirectoryItem

log = get_logger(__name__)

CATCH_UP_DAYS = 7
MAX_DAYS = 366


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def customer_key(month: str, customer_id: str) -> str:
    return f"M#{month}#C#{customer_id}"


def partner_key(month: str) -> str:
    return f"M#{month}#ALL"


def day_attribute(day: date) -> str:
    return f"d{day.day:02d}"


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass
class Sums:
    by_customer: dict[tuple[str, date], Decimal] = field(default_factory=dict)
    by_day: dict[date, Decimal] = field(default_factory=dict)
    lines: int = 0


def aggregate(lines: Iterable[ConsumptionLine], first: date, last: date) -> Sums:
    """Decimal sums by (customer, Beijing bill date) and by day, of lines in [first, last]."""
    by_customer: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    by_day: dict[date, Decimal] = defaultdict(Decimal)
    count = 0
    for line in lines:
        day = date.fromisoformat(line.bill_date)
        if not first <= day <= last:
            continue
        by_customer[(line.customer_id, day)] += line.amount
        by_day[day] += line.amount
        count += 1
    return Sums(by_customer=dict(by_customer), by_day=dict(by_day), lines=count)


@dataclass(frozen=True)
class RollupReport:
    partner_id: str
    first: date
    last: date
    lines: int
    customer_items: int


def rollup(partner_id: str, first: date, last: date, *, now: datetime) -> RollupReport:
    """Roll up Beijing days first..last (all closed) of one partner."""
    if first > last:
        raise BadInput("the first day is after the last", field="from")
    if (last - first).days >= MAX_DAYS:
        raise BadInput(f"roll up at most {MAX_DAYS} days at a time", field="to")
    if last > last_available_day(now):
        raise BadInput(
            f"{last.isoformat()} is not closed yet: a day can be rolled up from "
            "24:00 of the next day, Beijing time (R3)",
            field="to",
        )
    store = ConsumptionStore(partner_id)
    flt = ConsumptionFilter(date_from=first, date_to=last)
    sums = aggregate((line for page in store.pages(flt) for line in page), first, last)
    stamp = to_iso(now)

    per_item: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(dict)
    for (customer_id, day), amount in sums.by_customer.items():
        per_item[(customer_id, month_of(day))][day] = amount
    for (customer_id, month), day_sums in sorted(per_item.items()):
        actions: list[Action] = [
            RollupItem.month.set(month),
            RollupItem.customer_id.set(customer_id),
            RollupItem.updated_at.set(stamp),
        ]
        actions += [
            getattr(RollupItem, day_attribute(d)).set(v) for d, v in sorted(day_sums.items())
        ]
        RollupItem(partner_id, customer_key(month, customer_id)).update(actions=actions)

    # The partner's item last: its `rolled` set is what tells readers a day is complete.
    by_month: dict[str, list[date]] = defaultdict(list)
    for day in days_between(first, last):
        by_month[month_of(day)].append(day)
    for month, days in sorted(by_month.items()):
        actions = [
            RollupItem.month.set(month),
            RollupItem.updated_at.set(stamp),
            RollupItem.rolled.add({f"{d.day:02d}" for d in days}),
        ]
        actions += [
            getattr(RollupItem, day_attribute(d)).set(sums.by_day.get(d, Decimal("0")))
            for d in days
        ]
        RollupItem(partner_id, partner_key(month)).update(actions=actions)
    log.info(
        "consumption rolled up",
        extra=fields(
            partner_id=partner_id,
            first=first.isoformat(),
            last=last.isoformat(),
            lines=sums.lines,
            customer_items=len(per_item),
        ),
    )
    return RollupReport(partner_id, first, last, sums.lines, len(per_item))


def backfill(
    partner_id: str,
    first: date,
    last: date,
    *,
    now: datetime,
    lines: Iterable[ConsumptionLine] | None = None,
) -> RollupReport:
    """Roll up a range the table holds nothing of yet (a new partner's history, demo data)
    with whole-item batch writes: a few requests instead of one per customer and month.
    Falls back to `rollup` when any month of the range has a roll-up already, since whole
    items would replace what that holds. `lines` spares the read when the caller has just
    written exactly the partner's lines (the demo loader)."""
    months = sorted({month_of(d) for d in days_between(first, last)})
    existing = list(RollupItem.batch_get([(partner_id, partner_key(m)) for m in months]))
    if existing:
        return rollup(partner_id, first, last, now=now)
    if last > last_available_day(now) or first > last or (last - first).days >= MAX_DAYS:
        return rollup(partner_id, first, last, now=now)  # refuses with the reason
    if lines is None:
        pages = ConsumptionStore(partner_id).pages(ConsumptionFilter(date_from=first, date_to=last))
        lines = (line for page in pages for line in page)
    sums = aggregate((line for line in lines if line.partner_id == partner_id), first, last)
    stamp = to_iso(now)
    items: dict[str, RollupItem] = {}
    for (customer_id, day), amount in sums.by_customer.items():
        key = customer_key(month_of(day), customer_id)
        item = items.setdefault(
            key,
            RollupItem(
                partner_id, key, month=month_of(day), customer_id=customer_id, updated_at=stamp
            ),
        )
        setattr(item, day_attribute(day), amount)
    with RollupItem.batch_write() as batch:
        for item in items.values():
            batch.save(item)
    # The partner's items last, as in `rollup`: they mark the days complete.
    for month in months:
        days = [d for d in days_between(first, last) if month_of(d) == month]
        item = RollupItem(
            partner_id,
            partner_key(month),
            month=month,
            updated_at=stamp,
            rolled={f"{d.day:02d}" for d in days},
        )
        for day in days:
            setattr(item, day_attribute(day), sums.by_day.get(day, Decimal("0")))
        item.save()
    log.info(
        "consumption backfilled",
        extra=fields(
            partner_id=partner_id,
            first=first.isoformat(),
            last=last.isoformat(),
            lines=sums.lines,
            customer_items=len(items),
        ),
    )
    return RollupReport(partner_id, first, last, sums.lines, len(items))


def rolled_days(partner_id: str, days: Iterable[date]) -> set[date]:
    """Which of `days` the partner's items mark as rolled up."""
    wanted = sorted(set(days))
    found: set[date] = set()
    for month in sorted({month_of(d) for d in wanted}):
        try:
            item = RollupItem.get(partner_id, partner_key(month))
        except RollupItem.DoesNotExist:
            continue
        marks = item.rolled or set()
        found |= {d for d in wanted if month_of(d) == month and f"{d.day:02d}" in marks}
    return found


def due_days(now: datetime, rolled: set[date], catch_up: int = CATCH_UP_DAYS) -> list[date]:
    """The closed days of the last `catch_up` that are not rolled up yet, oldest first."""
    last = last_available_day(now)
    return [d for d in days_between(last - timedelta(days=catch_up - 1), last) if d not in rolled]


def partners() -> list[str]:
    """Every partner of the directory (the roll-up's one scan, of small partner items)."""
    return sorted(
        item.partner_id
        for item in DirectoryItem.scan(
            DirectoryItem.entity == "PARTNER", attributes_to_get=["partner_id", "entity"]
        )
    )


def run_scheduled(
    now: datetime | None = None, partner_ids: Iterable[str] | None = None
) -> list[RollupReport]:
    now = now or utcnow()
    reports = []
    for partner_id in partner_ids if partner_ids is not None else partners():
        last = last_available_day(now)
        window = days_between(last - timedelta(days=CATCH_UP_DAYS - 1), last)
        for day in due_days(now, rolled_days(partner_id, window)):
            reports.append(rollup(partner_id, day, day, now=now))
    return reports
