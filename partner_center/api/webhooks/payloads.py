"""The webhook mutations' payloads: each carries the area's own `WebhookError`s, not
the shared `UserError`, so they do not use api/core's Payload."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api.webhooks.types import (
    WebhookDeliveryNode,
    WebhookError,
    WebhookSubscriptionNode,
)


@strawberry.type(description="The subscription and, this once, its signing secret.")
class WebhookSecretPayload:
    subscription: WebhookSubscriptionNode | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (whsec_…): shown only in this answer, "
        "never again (a replay by idempotency key answers null).",
    )
    errors: list[WebhookError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookSubscriptionPayload:
    subscription: WebhookSubscriptionNode | None = None
    errors: list[WebhookError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookSubscriptionPayload:
    deleted_subscription_id: relay.GlobalID | None = None
    errors: list[WebhookError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryNode | None = None
    errors: list[WebhookError] = strawberry.field(default_factory=list)
