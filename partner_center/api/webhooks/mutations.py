"""The webhook mutations, each once per idempotency key through run_mutation.

A replay stores only the ID of what the first call made and reads it again: the
signing secret is never stored, so a replayed create or rotate answers `secret: null`,
and a replay whose subscription (or delivery) has since gone answers a NOT_FOUND refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias, TypeVar

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.mutations import Outcome, run_mutation
from partner_center.api.webhooks.inputs import (
    CreateWebhookSubscriptionInput,
    RedeliverWebhookDeliveryInput,
    UpdateWebhookSubscriptionInput,
    WebhookSubscriptionIdInput,
    delivery_id_of,
    subscription_id_of,
)
from partner_center.api.webhooks.payloads import (
    DeleteWebhookSubscriptionPayload,
    WebhookDeliveryPayload,
    WebhookSecretPayload,
    WebhookSubscriptionPayload,
)
from partner_center.api.webhooks.types import (
    DELIVERY_SEPARATOR,
    WebhookDeliveryNode,
    WebhookError,
    WebhookSubscriptionNode,
    delivery_ref,
)
from partner_center.core.auth import Principal
from partner_center.webhooks import service
from partner_center.webhooks.models import DeliveryItem, SubscriptionItem
from partner_center.webhooks.service import ErrorCode, WithSecret
from partner_center.webhooks.store import WebhookStore
from partner_center.webhooks.topics import Topic

# What a create or rotate gives: the first call its secret, a replay the subscription
# read again (None when it has since been deleted).
Secreted: TypeAlias = WithSecret | SubscriptionItem | None
T = TypeVar("T")


def _errors(outcome: Outcome[Any]) -> list[WebhookError]:
    return [WebhookError.of(e) for e in outcome.errors]


def _gone(what: str, code: ErrorCode) -> WebhookError:
    return WebhookError(
        code=code,
        field="idempotencyKey",
        message=f"the {what} of this idempotency key no longer exists",
    )


def _reload(principal: Principal) -> Callable[[Any], SubscriptionItem | None]:
    def decode(subscription_id: Any) -> SubscriptionItem | None:
        return WebhookStore(principal.partner_id).get_subscription(str(subscription_id))

    return decode


def _reload_delivery(principal: Principal) -> Callable[[Any], DeliveryItem | None]:
    def decode(ref: Any) -> DeliveryItem | None:
        subscription_id, _, delivery_id = str(ref).partition(DELIVERY_SEPARATOR)
        return WebhookStore(principal.partner_id).get_delivery(subscription_id, delivery_id)

    return decode


def _ref(result: Secreted) -> Any:
    if isinstance(result, WithSecret):
        return result.subscription.subscription_id
    return result.subscription_id if result else None


def _delivery_ref(item: DeliveryItem | None) -> str | None:
    return delivery_ref(item) if item else None


def _secret_payload(outcome: Outcome[Secreted]) -> WebhookSecretPayload:
    result = outcome.result
    if not outcome.ok:
        return WebhookSecretPayload(errors=_errors(outcome))
    if isinstance(result, WithSecret):
        return WebhookSecretPayload(
            subscription=WebhookSubscriptionNode.of(result.subscription), secret=result.secret
        )
    if result is None:  # a replay whose subscription has since been deleted
        return WebhookSecretPayload(
            errors=[_gone("subscription", ErrorCode.SUBSCRIPTION_NOT_FOUND)]
        )
    return WebhookSecretPayload(subscription=WebhookSubscriptionNode.of(result))


def _delivery_payload(outcome: Outcome[DeliveryItem | None]) -> WebhookDeliveryPayload:
    if not outcome.ok:
        return WebhookDeliveryPayload(errors=_errors(outcome))
    if outcome.result is None:  # a replay whose delivery has since expired
        return WebhookDeliveryPayload(errors=[_gone("delivery", ErrorCode.DELIVERY_NOT_FOUND)])
    return WebhookDeliveryPayload(delivery=WebhookDeliveryNode.of(outcome.result))


async def create_webhook_subscription(
    info: Info, input: CreateWebhookSubscriptionInput
) -> WebhookSecretPayload:
    principal = info.context.principal
    topics = [Topic(t) for t in input.topics]

    async def create() -> Secreted:
        return await service.create(principal, input.url, topics)

    outcome = await run_mutation(
        principal,
        "createWebhookSubscription",
        input.idempotency_key,
        {"url": input.url, "topics": sorted(t.value for t in topics)},
        create,
        encode=_ref,
        decode=_reload(principal),
    )
    return _secret_payload(outcome)


async def _on_subscription(
    info: Info,
    input: WebhookSubscriptionIdInput,
    operation: str,
    act: Callable[[Principal, str], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> Outcome[T]:
    """`act` on the input's subscription, once per idempotency key (the ID is read inside
    the run, so a malformed one is the key's refusal, as in the marketplace mutations)."""
    principal = info.context.principal

    async def run() -> T:
        return await act(principal, subscription_id_of(input.subscription_id))

    return await run_mutation(
        principal,
        operation,
        input.idempotency_key,
        {"id": str(input.subscription_id)},
        run,
        encode=encode,
        decode=decode,
    )


async def rotate_webhook_secret(
    info: Info, input: WebhookSubscriptionIdInput
) -> WebhookSecretPayload:
    outcome: Outcome[Secreted] = await _on_subscription(
        info,
        input,
        "rotateWebhookSecret",
        service.rotate,
        encode=_ref,
        decode=_reload(info.context.principal),
    )
    return _secret_payload(outcome)


async def update_webhook_subscription(
    info: Info, input: UpdateWebhookSubscriptionInput
) -> WebhookSubscriptionPayload:
    principal = info.context.principal
    topics = [Topic(t) for t in input.topics] if input.topics is not None else None

    async def update() -> SubscriptionItem | None:
        return await service.update(
            principal,
            subscription_id_of(input.subscription_id),
            url=input.url,
            topics=topics,
            enabled=input.enabled,
        )

    outcome = await run_mutation(
        principal,
        "updateWebhookSubscription",
        input.idempotency_key,
        {
            "id": str(input.subscription_id),
            "url": input.url,
            "enabled": input.enabled,
            "topics": sorted(t.value for t in topics) if topics is not None else None,
        },
        update,
        encode=_ref,
        decode=_reload(principal),
    )
    if not outcome.ok:
        return WebhookSubscriptionPayload(errors=_errors(outcome))
    if outcome.result is None:  # a replay whose subscription has since been deleted
        return WebhookSubscriptionPayload(
            errors=[_gone("subscription", ErrorCode.SUBSCRIPTION_NOT_FOUND)]
        )
    return WebhookSubscriptionPayload(subscription=WebhookSubscriptionNode.of(outcome.result))


async def delete_webhook_subscription(
    info: Info, input: WebhookSubscriptionIdInput
) -> DeleteWebhookSubscriptionPayload:
    outcome = await _on_subscription(
        info, input, "deleteWebhookSubscription", service.delete, encode=str, decode=str
    )
    if outcome.result is None:
        return DeleteWebhookSubscriptionPayload(errors=_errors(outcome))
    return DeleteWebhookSubscriptionPayload(
        deleted_subscription_id=relay.GlobalID("WebhookSubscription", outcome.result)
    )


async def send_webhook_test_event(
    info: Info, input: WebhookSubscriptionIdInput
) -> WebhookDeliveryPayload:
    outcome: Outcome[DeliveryItem | None] = await _on_subscription(
        info,
        input,
        "sendWebhookTestEvent",
        service.send_test,
        encode=_delivery_ref,
        decode=_reload_delivery(info.context.principal),
    )
    return _delivery_payload(outcome)


async def redeliver_webhook_delivery(
    info: Info, input: RedeliverWebhookDeliveryInput
) -> WebhookDeliveryPayload:
    principal = info.context.principal

    async def redeliver() -> DeliveryItem | None:
        # A malformed ID, or one naming no delivery, is refused here (WebhookRefused is a
        # Refused), inside the run: like any refusal, what a retry with the key gets.
        _, subscription_id, delivery_id = delivery_id_of(input.delivery_id)
        return await service.redeliver(principal, subscription_id, delivery_id)

    outcome = await run_mutation(
        principal,
        "redeliverWebhookDelivery",
        input.idempotency_key,
        {"id": str(input.delivery_id)},
        redeliver,
        encode=_delivery_ref,
        decode=_reload_delivery(principal),
    )
    return _delivery_payload(outcome)


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
