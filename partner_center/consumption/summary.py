"""Consumption summaries (R3, R4, R5), read from the daily roll-up.

A period's figure covers its days from the first on, as far as they are both closed (R3)
and rolled up; a period none of whose days is visible yet says so (NOT_YET_AVAILABLE, or
PENDING when closed but not rolled up) and carries no amount, rather than a zero. A
customer manager counts each customer from the day after its assignment (R5): earlier
days count as zero for it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from partner_center.consumption.availability import available_from, last_available_day
from partner_center.consumption.models import RollupItem
from partner_center.consumption.rollup import (
    customer_key,
    day_attribute,
    days_between,
    month_of,
    partner_key,
)
from partner_center.core.errors import BadInput

ZERO = Decimal("0")
MAX_DAYS = 366
MAX_MONTHS = 24


class Status(enum.StrEnum):
    AVAILABLE = "available"  # every day of the period is in the amount
    PARTIAL = "partial"  # the amount covers the period up to `through`
    PENDING = "pending"  # closed (R3) but not rolled up yet
    NOT_YET_AVAILABLE = "not_yet_available"  # R3: not before 24:00 of the next day


@dataclass(frozen=True)
class Figure:
    period: str  # "2026-09-15" or "2026-09"
    first: date
    last: date
    status: Status
    amount: Decimal | None  # None unless AVAILABLE or PARTIAL
    through: date | None  # the last day the amount covers
    available_at: datetime  # when the whole period is visible (R3)


@dataclass(frozen=True)
class Counted:
    """One customer's roll-up item of a month, and the first day the viewer counts."""

    item: RollupItem | None
    since: date = date.min


def day_value(item: RollupItem | None, day: date) -> Decimal:
    if item is None:
        return ZERO
    value = getattr(item, day_attribute(day))
    return ZERO if value is None else value


def figure(
    period: str,
    days: list[date],
    now: datetime,
    rolled: set[date],
    amount_of: Callable[[date], Decimal],
) -> Figure:
    """The figure of the days `days` (consecutive), as `now` may show it."""
    # R3 once per figure: day D is shown at `now` exactly when D <= last_available_day
    # (the same instant test as `is_available`, without a time-zone conversion per day).
    shown_through = last_available_day(now)
    total, through = ZERO, None
    for day in days:
        if day > shown_through or day not in rolled:
            break
        total += amount_of(day)
        through = day
    first, last = days[0], days[-1]
    if through is None:
        status = Status.PENDING if first <= shown_through else Status.NOT_YET_AVAILABLE
        return Figure(period, first, last, status, None, None, available_from(last))
    status = Status.AVAILABLE if through == last else Status.PARTIAL
    return Figure(period, first, last, status, total, through, available_from(last))


def scoped_amount(
    items: dict[str, Counted],
    customers: Iterable[str] | None,
    month: str,
    partner_item: RollupItem | None,
) -> Callable[[date], Decimal]:
    """Amount of a day: the partner's own sum (all customers) or the sum of the given
    customers' sums from each one's first counted day (R5)."""
    if customers is None:
        return lambda day: day_value(partner_item, day)
    chosen = list(customers)

    def amount(day: date) -> Decimal:
        total = ZERO
        for customer_id in chosen:
            counted = items.get(customer_id)
            if counted is not None and day >= counted.since:
                total += day_value(counted.item, day)
        return total

    return amount


def parse_month(text: str, field: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError as exc:
        raise BadInput(f"{field} must be a month, YYYY-MM", field=field) from exc
    if len(text) != 7:
        raise BadInput(f"{field} must be a month, YYYY-MM", field=field)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def months_between(first: str, last: str) -> list[tuple[str, list[date]]]:
    start, _ = parse_month(first, "monthFrom")
    _, end = parse_month(last, "monthTo")
    if start > end:
        raise BadInput("monthFrom is after monthTo", field="monthFrom")
    months: list[tuple[str, list[date]]] = []
    cursor = start
    while cursor <= end:
        _, month_end = parse_month(month_of(cursor), "monthFrom")
        months.append((month_of(cursor), days_between(cursor, month_end)))
        cursor = month_end + timedelta(days=1)
    if len(months) > MAX_MONTHS:
        raise BadInput(f"a monthly summary covers at most {MAX_MONTHS} months", field="monthTo")
    return months


def check_days(first: date, last: date) -> list[date]:
    if first > last:
        raise BadInput("dateFrom is after dateTo", field="dateFrom")
    if (last - first).days >= MAX_DAYS:
        raise BadInput(f"a daily summary covers at most {MAX_DAYS} days", field="dateTo")
    return days_between(first, last)


# -- reading the roll-up table (batched: one request per 100 items) --------------------


def partner_items(partner_id: str, months: Iterable[str]) -> dict[str, RollupItem]:
    found = {}
    for month in sorted(set(months)):
        try:
            found[month] = RollupItem.get(partner_id, partner_key(month))
        except RollupItem.DoesNotExist:
            continue
    return found


def customer_items(
    partner_id: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], RollupItem]:
    """{(customer, month): item} for the (customer, month) pairs that have one."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found = {}
    for item in RollupItem.batch_get([(partner_id, customer_key(m, c)) for c, m in wanted]):
        found[(item.customer_id, item.month)] = item
    return found


def rolled_set(items: dict[str, RollupItem]) -> set[date]:
    days: set[date] = set()
    for month, item in items.items():
        year, number = (int(p) for p in month.split("-"))
        days |= {date(year, number, int(d)) for d in item.rolled or set()}
    return days


def figures_of(
    requests: list[tuple[str, str, date]],
    partners: dict[str, RollupItem],
    items: dict[tuple[str, str], RollupItem],
    now: datetime,
) -> list[Figure]:
    """Each (customer, month, first counted day)'s month figure, from the partner's items
    of those months and the customers' items: two reads in all, whatever the number of
    customers (the caller makes them, concurrently)."""
    rolled = rolled_set(partners)
    days_of: dict[str, list[date]] = {}
    results = []
    for customer_id, month, since in requests:
        days = days_of.get(month)
        if days is None:
            _, last = parse_month(month, "month")
            days = days_of[month] = days_between(last.replace(day=1), last)
        results.append(
            figure(
                month, days, now, rolled, _customer_amount(items.get((customer_id, month)), since)
            )
        )
    return results


def _customer_amount(item: RollupItem | None, since: date) -> Callable[[date], Decimal]:
    """One customer's sum of a day of its month item, counted from `since` (R5): what
    `scoped_amount` gives for a single customer, read from the item's values at once."""
    if item is None:
        return lambda day: ZERO
    values = item.attribute_values

    def amount(day: date) -> Decimal:
        if day < since:
            return ZERO
        value = values.get(day_attribute(day))
        return ZERO if value is None else value

    return amount
