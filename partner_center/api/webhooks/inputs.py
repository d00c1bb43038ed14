"""The webhook mutations' inputs, and the IDs they name."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api.core.ids import node_id_of
from partner_center.api.webhooks.enums import WebhookTopic
from partner_center.api.webhooks.types import DELIVERY_SEPARATOR
from partner_center.webhooks.service import ErrorCode, WebhookRefused

_KEY = "Repeat a request with the same key to get the same result."


@strawberry.input
class CreateWebhookSubscriptionInput:
    url: str = strawberry.field(
        description="https:// to a public address (development also takes http://127.0.0.1:<port>)."
    )
    topics: list[WebhookTopic]
    idempotency_key: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.input
class UpdateWebhookSubscriptionInput:
    subscription_id: relay.GlobalID
    url: str | None = None
    topics: list[WebhookTopic] | None = None
    enabled: bool | None = strawberry.field(
        default=None, description="Switching it on again clears its failure count."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.input
class WebhookSubscriptionIdInput:
    subscription_id: relay.GlobalID
    idempotency_key: str | None = strawberry.field(default=None, description=_KEY)


@strawberry.input
class RedeliverWebhookDeliveryInput:
    delivery_id: relay.GlobalID
    idempotency_key: str | None = strawberry.field(default=None, description=_KEY)


def subscription_id_of(global_id: relay.GlobalID, field: str = "subscriptionId") -> str:
    return node_id_of(global_id, "WebhookSubscription", field)


def delivery_id_of(global_id: relay.GlobalID) -> tuple[str, str, str]:
    """(node ID, subscription ID, delivery ID) of a WebhookDelivery ID."""
    ref = node_id_of(global_id, "WebhookDelivery", "deliveryId")
    subscription_id, _, delivery_id = ref.partition(DELIVERY_SEPARATOR)
    if not delivery_id:
        raise WebhookRefused(
            ErrorCode.DELIVERY_NOT_FOUND, "deliveryId", "no webhook delivery with this ID"
        )
    return ref, subscription_id, delivery_id
