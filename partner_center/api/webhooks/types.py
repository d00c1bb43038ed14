"""Webhook subscriptions and deliveries, their connections, and the typed refusal."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.api.webhooks.enums import (
    WebhookDeliveryStatus,
    WebhookErrorCode,
    WebhookTopic,
)
from partner_center.api.webhooks.loaders import delivery_loader, subscription_loader
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.webhooks import service
from partner_center.webhooks.delivery import webhook_id
from partner_center.webhooks.models import DeliveryItem, SubscriptionItem
from partner_center.webhooks.service import ErrorCode
from partner_center.webhooks.store import DeliveryStatus
from partner_center.webhooks.topics import Topic

DELIVERY_SEPARATOR = "."


def delivery_ref(item: DeliveryItem) -> str:
    """A delivery's node ID: its subscription's ID and its own."""
    return f"{item.subscription_id}{DELIVERY_SEPARATOR}{item.delivery_id}"


@strawberry.type(
    description="A refusal of a webhook mutation: a stable code, the input "
    "field it concerns, and a message for people."
)
class WebhookError:
    code: WebhookErrorCode
    field: str | None
    message: str

    @classmethod
    def of(cls, error: UserError) -> WebhookError:
        """A refusal as the area's own type: a code outside the area's (a bad ID, say)
        is BAD_USER_INPUT."""
        code = error.code
        return cls(
            code=ErrorCode(code) if code in ErrorCode.__members__ else ErrorCode.BAD_USER_INPUT,
            field=error.field,
            message=error.message,
        )


def _delivery_key(node_id: str) -> tuple[str, str] | None:
    """(subscription, delivery) of a delivery's node ID; None for any other ID."""
    subscription_id, _, delivery_id = node_id.partition(DELIVERY_SEPARATOR)
    return (subscription_id, delivery_id) if delivery_id else None


@strawberry.type(
    name="WebhookDelivery",
    description="One event sent to one subscription, with all its attempts under one webhook-id.",
)
class WebhookDeliveryNode(LoadedNode, relay.Node):
    delivery_node_id: relay.NodeID[str]
    item: strawberry.Private[DeliveryItem]
    # Plain fields (read from the record, no resolver per row), filled by `of`.
    webhook_id: str = strawberry.field(
        description="The `webhook-id` header of every attempt: receivers deduplicate on it."
    )
    event_id: str = strawberry.field(description="The event's ID (also the body's `id`).")
    topic: WebhookTopic
    status: WebhookDeliveryStatus
    attempts: int = strawberry.field(
        description="Attempts of the current run (a redelivery starts a new run)."
    )
    http_status: int | None = strawberry.field(
        description="The receiver's HTTP status on the last attempt (null when it did not answer)."
    )
    latency_ms: int | None = strawberry.field(
        description="How long the last attempt took, in milliseconds."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed: HTTP_<status>, TIMEOUT, "
        "CONNECT_ERROR, REDIRECT_NOT_FOLLOWED, URL_NOT_ALLOWED…"
    )
    last_attempt_at: datetime | None
    next_retry_at: datetime | None = strawberry.field(
        description="When the next attempt is due (null when none is)."
    )
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, item: DeliveryItem) -> WebhookDeliveryNode:
        return cls(
            delivery_node_id=delivery_ref(item),
            item=item,
            webhook_id=webhook_id(item.delivery_id),
            event_id=item.event_id,
            topic=Topic(item.topic),
            status=DeliveryStatus(item.status),
            attempts=int(item.attempts or 0),
            http_status=int(item.http_status) if item.http_status is not None else None,
            latency_ms=int(item.latency_ms) if item.latency_ms is not None else None,
            last_error=item.last_error,
            last_attempt_at=from_iso_or_none(item.last_attempt_at),
            next_retry_at=from_iso_or_none(item.next_retry_at),
            created_at=from_iso(item.created_at),
            finished_at=from_iso_or_none(item.finished_at),
        )

    node_loader = delivery_loader
    loader_key = _delivery_key


@strawberry.type(name="WebhookDeliveryConnection")
class WebhookDeliveryConnection(relay.Connection[WebhookDeliveryNode]):
    pass


@strawberry.type(
    name="WebhookSubscription",
    description="Where the partner's events are "
    "sent, signed by the Standard Webhooks scheme (docs/webhooks.md).",
)
class WebhookSubscriptionNode(LoadedNode, relay.Node):
    subscription_id: relay.NodeID[str]
    item: strawberry.Private[SubscriptionItem]
    # Plain fields (read from the record, no resolver per row), filled by `of`.
    url: str
    topics: list[WebhookTopic]
    enabled: bool
    disabled_reason: str | None = strawberry.field(
        description="Why it was switched off by the product (TOO_MANY_FAILURES), if it was."
    )
    disabled_at: datetime | None
    consecutive_failures: int = strawberry.field(
        description="Deliveries in a row that failed every attempt."
    )
    secret_rotated_at: datetime = strawberry.field(
        description="When the signing secret was made (creation or rotation)."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, item: SubscriptionItem) -> WebhookSubscriptionNode:
        return cls(
            subscription_id=item.subscription_id,
            item=item,
            url=item.url,
            topics=[Topic(t) for t in item.topics or []],
            enabled=bool(item.enabled),
            disabled_reason=item.disabled_reason,
            disabled_at=from_iso_or_none(item.disabled_at),
            consecutive_failures=int(item.consecutive_failures or 0),
            secret_rotated_at=from_iso(item.secret_rotated_at),
            created_at=from_iso(item.created_at),
            updated_at=from_iso(item.updated_at),
        )

    @strawberry.field(description="Recent deliveries, newest first (kept 30 days).")
    async def deliveries(
        self, info: Info, first: int | None = 10, after: str | None = None
    ) -> WebhookDeliveryConnection:
        kind = f"webhook-deliveries-{self.item.subscription_id}"
        page = page_request(first, after, kind)
        found, has_next = await service.delivery_page(
            info.context.principal, self.item.subscription_id, after_id=page.after, limit=page.size
        )
        nodes = [WebhookDeliveryNode.of(d) for d in found]
        return build_connection(
            WebhookDeliveryConnection, nodes, has_next, kind, lambda n: n.item.delivery_id, after
        )

    node_loader = subscription_loader


@strawberry.type(name="WebhookSubscriptionConnection")
class WebhookSubscriptionConnection(relay.Connection[WebhookSubscriptionNode]):
    pass
