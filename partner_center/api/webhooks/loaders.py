"""The webhooks area's DataLoaders: the subscriptions and deliveries `node` resolves.

The store reads one item at a time: each loader reads its keys concurrently. Anyone but
the administrator loads None (the service answers so), as for an ID that names nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.webhooks import service
from partner_center.webhooks.models import DeliveryItem, SubscriptionItem


def subscription_loader(info: Info) -> Any:
    """The partner's webhook subscriptions, by ID."""
    principal = info.context.principal

    async def load(subscription_ids: list[str]) -> list[SubscriptionItem | None]:
        return list(await asyncio.gather(*(service.get(principal, s) for s in subscription_ids)))

    return info.context.loaders.get("webhook_subscriptions", load)


def delivery_loader(info: Info) -> Any:
    """The partner's webhook deliveries, by (subscription ID, delivery ID)."""
    principal = info.context.principal

    async def load(keys: list[tuple[str, str]]) -> list[DeliveryItem | None]:
        reads = (service.get_delivery(principal, s, d) for s, d in keys)
        return list(await asyncio.gather(*reads))

    return info.context.loaders.get("webhook_deliveries", load)
