"""Webhooks: subscriptions and their deliveries, for the partner's administrator.

Every mutation is idempotent by `idempotencyKey` (a replay gets the first result; the
signing secret is never kept for replays, so a replayed create or rotate answers
`secret: null`) and refuses with typed `WebhookError`s.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.core.errors import ClientError, Forbidden
from partner_center.idempotency.once import once
from partner_center.webhooks import service
from partner_center.webhooks.delivery import webhook_id
from partner_center.webhooks.models import DeliveryItem, SubscriptionItem
from partner_center.webhooks.service import ErrorCode, WebhookRefused, WithSecret
from partner_center.webhooks.store import DeliveryStatus
from partner_center.webhooks.topics import Topic

T = TypeVar("T")
R = TypeVar("R")

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

DELIVERY_SEPARATOR = "."


@strawberry.type(
    description="A refusal of a webhook mutation: a stable code, the input "
    "field it concerns, and a message for people."
)
class WebhookError:
    code: WebhookErrorCode
    field: str | None
    message: str


def _error(refusal: WebhookRefused | ClientError) -> WebhookError:
    if isinstance(refusal, WebhookRefused):
        return WebhookError(code=refusal.code, field=refusal.field, message=refusal.message)
    extensions = refusal.extensions or {}
    code = str(extensions.get("code", ErrorCode.BAD_USER_INPUT))
    return WebhookError(
        code=ErrorCode(code) if code in ErrorCode.__members__ else ErrorCode.BAD_USER_INPUT,
        field=extensions.get("field"),
        message=refusal.message,
    )


@strawberry.type(
    name="WebhookDelivery",
    description="One event sent to one subscription, with all its attempts under one webhook-id.",
)
class WebhookDeliveryNode(relay.Node):
    delivery_node_id: relay.NodeID[str]
    item: strawberry.Private[DeliveryItem]

    @classmethod
    def of(cls, item: DeliveryItem) -> WebhookDeliveryNode:
        return cls(
            delivery_node_id=f"{item.subscription_id}{DELIVERY_SEPARATOR}{item.delivery_id}",
            item=item,
        )

    @strawberry.field(
        description="The `webhook-id` header of every attempt: receivers deduplicate on it."
    )
    def webhook_id(self) -> str:
        return webhook_id(self.item.delivery_id)

    @strawberry.field(description="The event's ID (also the body's `id`).")
    def event_id(self) -> str:
        return self.item.event_id

    @strawberry.field
    def topic(self) -> WebhookTopic:
        return Topic(self.item.topic)

    @strawberry.field
    def status(self) -> WebhookDeliveryStatus:
        return DeliveryStatus(self.item.status)

    @strawberry.field(description="Attempts of the current run (a redelivery starts a new run).")
    def attempts(self) -> int:
        return int(self.item.attempts or 0)

    @strawberry.field(
        description="The receiver's HTTP status on the last attempt (null when it did not answer)."
    )
    def http_status(self) -> int | None:
        return int(self.item.http_status) if self.item.http_status is not None else None

    @strawberry.field(description="How long the last attempt took, in milliseconds.")
    def latency_ms(self) -> int | None:
        return int(self.item.latency_ms) if self.item.latency_ms is not None else None

    @strawberry.field(
        description="Why the last attempt failed: HTTP_<status>, TIMEOUT, "
        "CONNECT_ERROR, REDIRECT_NOT_FOLLOWED, URL_NOT_ALLOWED…"
    )
    def last_error(self) -> str | None:
        return self.item.last_error

    @strawberry.field
    def last_attempt_at(self) -> datetime | None:
        return from_iso_or_none(self.item.last_attempt_at)

    @strawberry.field(description="When the next attempt is due (null when none is).")
    def next_retry_at(self) -> datetime | None:
        return from_iso_or_none(self.item.next_retry_at)

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.item.created_at)

    @strawberry.field
    def finished_at(self) -> datetime | None:
        return from_iso_or_none(self.item.finished_at)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            subscription_id, _, delivery_id = node_id.partition(DELIVERY_SEPARATOR)
            item = (
                (await service.get_delivery(info.context.principal, subscription_id, delivery_id))
                if delivery_id
                else None
            )
            results.append(cls.of(item) if item else None)
        return results


@strawberry.type(name="WebhookDeliveryConnection")
class WebhookDeliveryConnection(relay.Connection[WebhookDeliveryNode]):
    pass


@strawberry.type(
    name="WebhookSubscription",
    description="Where the partner's events are "
    "sent, signed by the Standard Webhooks scheme (docs/webhooks.md).",
)
class WebhookSubscriptionNode(relay.Node):
    subscription_id: relay.NodeID[str]
    item: strawberry.Private[SubscriptionItem]

    @classmethod
    def of(cls, item: SubscriptionItem) -> WebhookSubscriptionNode:
        return cls(subscription_id=item.subscription_id, item=item)

    @strawberry.field
    def url(self) -> str:
        return self.item.url

    @strawberry.field
    def topics(self) -> list[WebhookTopic]:
        return [Topic(t) for t in self.item.topics or []]

    @strawberry.field
    def enabled(self) -> bool:
        return bool(self.item.enabled)

    @strawberry.field(
        description="Why it was switched off by the product (TOO_MANY_FAILURES), if it was."
    )
    def disabled_reason(self) -> str | None:
        return self.item.disabled_reason

    @strawberry.field
    def disabled_at(self) -> datetime | None:
        return from_iso_or_none(self.item.disabled_at)

    @strawberry.field(description="Deliveries in a row that failed every attempt.")
    def consecutive_failures(self) -> int:
        return int(self.item.consecutive_failures or 0)

    @strawberry.field(description="When the signing secret was made (creation or rotation).")
    def secret_rotated_at(self) -> datetime:
        return from_iso(self.item.secret_rotated_at)

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.item.created_at)

    @strawberry.field
    def updated_at(self) -> datetime:
        return from_iso(self.item.updated_at)

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

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            item = await service.get(info.context.principal, node_id)
            results.append(cls.of(item) if item else None)
        return results


@strawberry.type(name="WebhookSubscriptionConnection")
class WebhookSubscriptionConnection(relay.Connection[WebhookSubscriptionNode]):
    pass


# -- inputs and payloads ---------------------------------------------------------------------

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


async def _run(
    info: Info,
    operation: str,
    key: str | None,
    request: Any,
    run: Callable[[], Awaitable[T]],
    encode: Callable[[T], Any],
    decode: Callable[[Any], R],
) -> T | R | WebhookError:
    try:
        return await once(
            info.context.principal, operation, key, request, run, encode=encode, decode=decode
        )
    except Forbidden:
        raise  # permission errors stay GraphQL errors
    except (WebhookRefused, ClientError) as refusal:
        return _error(refusal)


def _subscription_id(global_id: relay.GlobalID, field: str = "subscriptionId") -> str:
    return node_id_of(global_id, "WebhookSubscription", field)


def _reload(principal: Any) -> Callable[[Any], SubscriptionItem | None]:
    def decode(subscription_id: Any) -> SubscriptionItem | None:
        from partner_center.webhooks.store import WebhookStore

        return WebhookStore(principal.partner_id).get_subscription(str(subscription_id))

    return decode


def _secret_payload(result: Any) -> WebhookSecretPayload:
    if isinstance(result, WebhookError):
        return WebhookSecretPayload(errors=[result])
    if isinstance(result, WithSecret):
        return WebhookSecretPayload(
            subscription=WebhookSubscriptionNode.of(result.subscription), secret=result.secret
        )
    if result is None:  # a replay whose subscription has since been deleted
        return WebhookSecretPayload(
            errors=[
                WebhookError(
                    code=ErrorCode.SUBSCRIPTION_NOT_FOUND,
                    field="idempotencyKey",
                    message="the subscription of this idempotency key no longer exists",
                )
            ]
        )
    return WebhookSecretPayload(subscription=WebhookSubscriptionNode.of(result))


def _ref(result: Any) -> Any:
    return (
        result.subscription.subscription_id
        if isinstance(result, WithSecret)
        else result.subscription_id
    )


async def create_webhook_subscription(
    info: Info, input: CreateWebhookSubscriptionInput
) -> WebhookSecretPayload:
    principal = info.context.principal
    topics = [Topic(t) for t in input.topics]
    result = await _run(
        info,
        "createWebhookSubscription",
        input.idempotency_key,
        {"url": input.url, "topics": sorted(t.value for t in topics)},
        lambda: service.create(principal, input.url, topics),
        encode=_ref,
        decode=_reload(principal),
    )
    return _secret_payload(result)


async def rotate_webhook_secret(
    info: Info, input: WebhookSubscriptionIdInput
) -> WebhookSecretPayload:
    principal = info.context.principal
    try:
        subscription_id = _subscription_id(input.subscription_id)
    except ClientError as bad:
        return WebhookSecretPayload(errors=[_error(bad)])
    result = await _run(
        info,
        "rotateWebhookSecret",
        input.idempotency_key,
        {"id": subscription_id},
        lambda: service.rotate(principal, subscription_id),
        encode=_ref,
        decode=_reload(principal),
    )
    return _secret_payload(result)


async def update_webhook_subscription(
    info: Info, input: UpdateWebhookSubscriptionInput
) -> WebhookSubscriptionPayload:
    principal = info.context.principal
    try:
        subscription_id = _subscription_id(input.subscription_id)
    except ClientError as bad:
        return WebhookSubscriptionPayload(errors=[_error(bad)])
    topics = [Topic(t) for t in input.topics] if input.topics is not None else None
    result = await _run(
        info,
        "updateWebhookSubscription",
        input.idempotency_key,
        {
            "id": subscription_id,
            "url": input.url,
            "enabled": input.enabled,
            "topics": sorted(t.value for t in topics) if topics is not None else None,
        },
        lambda: service.update(
            principal, subscription_id, url=input.url, topics=topics, enabled=input.enabled
        ),
        encode=lambda s: s.subscription_id,
        decode=_reload(principal),
    )
    if isinstance(result, WebhookError):
        return WebhookSubscriptionPayload(errors=[result])
    if result is None:
        return WebhookSubscriptionPayload(
            errors=[
                WebhookError(
                    code=ErrorCode.SUBSCRIPTION_NOT_FOUND,
                    field="idempotencyKey",
                    message="the subscription of this idempotency key no longer exists",
                )
            ]
        )
    return WebhookSubscriptionPayload(subscription=WebhookSubscriptionNode.of(result))


async def delete_webhook_subscription(
    info: Info, input: WebhookSubscriptionIdInput
) -> DeleteWebhookSubscriptionPayload:
    principal = info.context.principal
    try:
        subscription_id = _subscription_id(input.subscription_id)
    except ClientError as bad:
        return DeleteWebhookSubscriptionPayload(errors=[_error(bad)])
    result = await _run(
        info,
        "deleteWebhookSubscription",
        input.idempotency_key,
        {"id": subscription_id},
        lambda: service.delete(principal, subscription_id),
        encode=lambda s: s,
        decode=str,
    )
    if isinstance(result, WebhookError):
        return DeleteWebhookSubscriptionPayload(errors=[result])
    return DeleteWebhookSubscriptionPayload(
        deleted_subscription_id=relay.GlobalID("WebhookSubscription", result)
    )


def _delivery_ref(item: DeliveryItem) -> str:
    return f"{item.subscription_id}{DELIVERY_SEPARATOR}{item.delivery_id}"


def _reload_delivery(principal: Any) -> Callable[[Any], DeliveryItem | None]:
    def decode(ref: Any) -> DeliveryItem | None:
        from partner_center.webhooks.store import WebhookStore

        subscription_id, _, delivery_id = str(ref).partition(DELIVERY_SEPARATOR)
        return WebhookStore(principal.partner_id).get_delivery(subscription_id, delivery_id)

    return decode


def _delivery_payload(result: Any) -> WebhookDeliveryPayload:
    if isinstance(result, WebhookError):
        return WebhookDeliveryPayload(errors=[result])
    if result is None:
        return WebhookDeliveryPayload(
            errors=[
                WebhookError(
                    code=ErrorCode.DELIVERY_NOT_FOUND,
                    field="idempotencyKey",
                    message="the delivery of this idempotency key no longer exists",
                )
            ]
        )
    return WebhookDeliveryPayload(delivery=WebhookDeliveryNode.of(result))


async def send_webhook_test_event(
    info: Info, input: WebhookSubscriptionIdInput
) -> WebhookDeliveryPayload:
    principal = info.context.principal
    try:
        subscription_id = _subscription_id(input.subscription_id)
    except ClientError as bad:
        return WebhookDeliveryPayload(errors=[_error(bad)])
    result = await _run(
        info,
        "sendWebhookTestEvent",
        input.idempotency_key,
        {"id": subscription_id},
        lambda: service.send_test(principal, subscription_id),
        encode=_delivery_ref,
        decode=_reload_delivery(principal),
    )
    return _delivery_payload(result)


async def redeliver_webhook_delivery(
    info: Info, input: RedeliverWebhookDeliveryInput
) -> WebhookDeliveryPayload:
    principal = info.context.principal
    try:
        ref = node_id_of(input.delivery_id, "WebhookDelivery", "deliveryId")
        subscription_id, _, delivery_id = ref.partition(DELIVERY_SEPARATOR)
        if not delivery_id:
            raise WebhookRefused(
                ErrorCode.DELIVERY_NOT_FOUND, "deliveryId", "no webhook delivery with this ID"
            )
    except (ClientError, WebhookRefused) as bad:
        return WebhookDeliveryPayload(errors=[_error(bad)])
    result = await _run(
        info,
        "redeliverWebhookDelivery",
        input.idempotency_key,
        {"id": ref},
        lambda: service.redeliver(principal, subscription_id, delivery_id),
        encode=_delivery_ref,
        decode=_reload_delivery(principal),
    )
    return _delivery_payload(result)


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


@strawberry.type
class Mutation:
    create_webhook_subscription: WebhookSecretPayload = access.mutation(
        "Mutation.createWebhookSubscription",
        create_webhook_subscription,
        "Subscribe a URL to topics; the answer carries the signing secret, once.",
    )
    update_webhook_subscription: WebhookSubscriptionPayload = access.mutation(
        "Mutation.updateWebhookSubscription",
        update_webhook_subscription,
        "Change a subscription's URL, topics, or switch it on or off.",
    )
    rotate_webhook_secret: WebhookSecretPayload = access.mutation(
        "Mutation.rotateWebhookSecret",
        rotate_webhook_secret,
        "Replace the signing secret at once; the answer carries the new one, once.",
    )
    delete_webhook_subscription: DeleteWebhookSubscriptionPayload = access.mutation(
        "Mutation.deleteWebhookSubscription",
        delete_webhook_subscription,
        "Delete a subscription; deliveries still queued for it are cancelled.",
    )
    send_webhook_test_event: WebhookDeliveryPayload = access.mutation(
        "Mutation.sendWebhookTestEvent",
        send_webhook_test_event,
        "Send a signed TEST event to this subscription only.",
    )
    redeliver_webhook_delivery: WebhookDeliveryPayload = access.mutation(
        "Mutation.redeliverWebhookDelivery",
        redeliver_webhook_delivery,
        "Send a finished delivery again (a new run of the retry schedule, same webhook-id).",
    )
