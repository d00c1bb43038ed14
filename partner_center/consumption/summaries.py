"""Who sees which consumption summary: R1 (the customers menu), R2 (a manager's own
customers) and R5 (each from the day after its assignment), over the roll-up reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from partner_center.consumption.rollup import month_of
from partner_center.consumption.scope import counting_from
from partner_center.consumption.summary import (
    ZERO,
    Figure,
    Status,
    check_days,
    customer_items,
    day_value,
    figure,
    months_between,
    partner_items,
    rolled_set,
)
from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import utcnow
from partner_center.core.errors import NotFound
from partner_center.core.permissions import managed_customer_scope, require_menu
from partner_center.customers.store import CustomerStore


@dataclass(frozen=True)
class Summary:
    customer_id: str | None  # None: all of the caller's customers
    figures: list[Figure]
    counted_from: date | None  # R5: set when a manager views one customer

    @property
    def total(self) -> Decimal:
        return sum((f.amount for f in self.figures if f.amount is not None), ZERO)

    @property
    def complete(self) -> bool:
        return all(f.status is Status.AVAILABLE for f in self.figures)


@dataclass(frozen=True)
class Scope:
    # None: the partner's own sums (every customer); otherwise customer -> first day.
    customers: dict[str, date] | None
    counted_from: date | None = None


def scope_of(principal: Principal, customer_id: str | None) -> Scope:
    require_menu(principal, Menu.CUSTOMERS)
    manager = managed_customer_scope(principal)
    store = CustomerStore(principal.partner_id)
    if customer_id is not None:
        customer = store.get(customer_id)
        if customer is None or (manager is not None and customer.manager_id != manager):
            raise NotFound("no customer with this ID", field="customerId")
        if manager is None:
            return Scope({customer_id: date.min})
        since = counting_from(customer.assigned_at)
        return Scope({customer_id: since}, since)
    if manager is None:
        return Scope(None)
    return Scope({c.customer_id: counting_from(c.assigned_at) for c in store.of_manager(manager)})


def _amounts(
    partner_id: str, scope: Scope, months: set[str]
) -> tuple[set[date], Callable[[date], Decimal]]:
    partners = partner_items(partner_id, months)
    rolled = rolled_set(partners)
    if scope.customers is None:
        return rolled, lambda day: day_value(partners.get(month_of(day)), day)
    customers = scope.customers
    items = customer_items(partner_id, [(c, m) for c in customers for m in months])

    def amount(day: date) -> Decimal:
        month = month_of(day)
        return sum(
            (
                day_value(items.get((c, month)), day)
                for c, since in customers.items()
                if day >= since
            ),
            ZERO,
        )

    return rolled, amount


def daily(
    principal: Principal, customer_id: str | None, first: date, last: date, *, now: datetime
) -> Summary:
    days = check_days(first, last)
    scope = scope_of(principal, customer_id)
    rolled, amount = _amounts(principal.partner_id, scope, {month_of(d) for d in days})
    figures = [figure(d.isoformat(), [d], now, rolled, amount) for d in days]
    return Summary(customer_id, figures, scope.counted_from)


def monthly(
    principal: Principal, customer_id: str | None, first: str, last: str, *, now: datetime
) -> Summary:
    months = months_between(first, last)
    scope = scope_of(principal, customer_id)
    rolled, amount = _amounts(principal.partner_id, scope, {m for m, _ in months})
    figures = [figure(month, days, now, rolled, amount) for month, days in months]
    return Summary(customer_id, figures, scope.counted_from)


def clock() -> datetime:
    """The `now` summaries are read at (R3); tests replace it to stand at a boundary."""
    return utcnow()
