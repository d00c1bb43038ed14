"""The webhooks area's enums: the domain's, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.webhooks.service import ErrorCode
from partner_center.webhooks.store import DeliveryStatus
from partner_center.webhooks.topics import Topic

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(
    Topic,
    name="WebhookTopic",
    description=(
        "What a subscription receives. TEST is only ever sent by sendWebhookTestEvent and "
        "cannot be subscribed to."
    ),
)
WebhookTopic: TypeAlias = Topic
strawberry.enum(ErrorCode, name="WebhookErrorCode")
WebhookErrorCode: TypeAlias = ErrorCode
strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="pending → (retrying →) succeeded or "
    "failed; cancelled when the subscription "
    "was disabled or deleted meanwhile.",
)
WebhookDeliveryStatus: TypeAlias = DeliveryStatus
