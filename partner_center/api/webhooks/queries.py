"""The `webhookSubscriptions` root query."""

from __future__ import annotations

import strawberry

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.webhooks.types import (
    WebhookSubscriptionConnection,
    WebhookSubscriptionNode,
)
from partner_center.webhooks import service


async def webhook_subscriptions(
    info: Info, first: int | None = None, after: str | None = None
) -> WebhookSubscriptionConnection:
    kind = "webhook-subscriptions"
    page = page_request(first, after, kind)
    found, has_next = await service.page(
        info.context.principal, after_id=page.after, limit=page.size
    )
    nodes = [WebhookSubscriptionNode.of(s) for s in found]
    return build_connection(
        WebhookSubscriptionConnection, nodes, has_next, kind, lambda n: n.subscription_id, after
    )


@strawberry.type
class Query:
    webhook_subscriptions: WebhookSubscriptionConnection = access.query(
        "Query.webhookSubscriptions",
        webhook_subscriptions,
        "The partner's webhook subscriptions, oldest first, with their recent deliveries.",
    )
