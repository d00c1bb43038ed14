"""The customers area's DataLoaders: users, customers, alerts and month consumption,
each read in one batch per tick of the request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date
from typing import Any

from partner_center.api.context import Info
from partner_center.api.core.loaders import loaded
from partner_center.api.customers.figures import ConsumptionFigure
from partner_center.api.customers.users import PartnerUser
from partner_center.consumption import summaries
from partner_center.consumption.rollup import month_of
from partner_center.consumption.scope import counting_from
from partner_center.consumption.summary import (
    customer_items,
    figures_of,
    parse_month,
    partner_items,
)
from partner_center.core.clock import beijing_date
from partner_center.core.permissions import managed_customer_scope
from partner_center.customers import alerts
from partner_center.customers.models import AlertItem
from partner_center.customers.service import users_by_id, visible_customers_by_id
from partner_center.storage.models import CustomerItem


def user_loader(info: Info) -> Any:
    """The partner's users by ID (one BatchGetItem per 100)."""
    partner_id = info.context.principal.partner_id

    async def load(user_ids: list[str]) -> list[PartnerUser]:
        found = await asyncio.to_thread(users_by_id, partner_id, user_ids)
        return [PartnerUser.of(u, found.get(u)) for u in user_ids]

    return info.context.loaders.get("partner_users", load)


def partner_user(info: Info, user_id: str | None) -> PartnerUser | Awaitable[PartnerUser] | None:
    """The user, through the request's loader: its value when a page prefetched it, else
    the loader's future (the resolver returns it as is, sparing a coroutine per row)."""
    if not user_id:
        return None
    return loaded(user_loader(info), user_id)


def customer_loader(info: Info) -> Any:
    """Customers the caller may see, by ID (R2 applied; one BatchGetItem per 100)."""
    principal = info.context.principal

    async def load(customer_ids: list[str]) -> list[CustomerItem | None]:
        found = await asyncio.to_thread(visible_customers_by_id, principal, customer_ids)
        return [found.get(c) for c in customer_ids]

    return info.context.loaders.get("visible_customers", load)


def alert_loader(info: Info) -> Any:
    """Alerts the caller may see, by ID (R2 applied). Alerts are read one at a time, so
    the IDs of one tick are read concurrently."""
    principal = info.context.principal

    async def load(alert_ids: list[str]) -> list[AlertItem | None]:
        return await asyncio.gather(
            *(asyncio.to_thread(alerts.get_alert, principal, a) for a in alert_ids)
        )

    return info.context.loaders.get("visible_alerts", load)


MonthKey = tuple[str, str, date]


def month_key(
    info: Info, customer_id: str, item: CustomerItem | None, month: str | None
) -> MonthKey:
    """The month consumption loader's key of a customer's `monthConsumption(month)`:
    the month (default: the current one, Beijing), and the first day counted, which for
    a customer manager is the day after the customer's assignment to it (R5)."""
    if month is None:
        month = month_of(beijing_date(summaries.clock()))
    else:
        parse_month(month, "month")
    since = date.min
    if managed_customer_scope(info.context.principal) is not None and item:
        since = counting_from(item.assigned_at)
    return (customer_id, month, since)


def month_consumption_loader(info: Info) -> Any:
    """(customer, month, first counted day) -> figure: one batch of the customers' roll-up
    items and one read of the partner's per month, whatever the page size."""
    partner_id = info.context.principal.partner_id

    async def load(keys: list[tuple[str, str, date]]) -> list[ConsumptionFigure]:
        # The partner's items and the customers' are independent reads: run them at once.
        partners, items = await asyncio.gather(
            asyncio.to_thread(partner_items, partner_id, {m for _, m, _ in keys}),
            asyncio.to_thread(customer_items, partner_id, [(c, m) for c, m, _ in keys]),
        )
        return [
            ConsumptionFigure.of(f) for f in figures_of(keys, partners, items, summaries.clock())
        ]

    return info.context.loaders.get("customer_month_consumption", load)
