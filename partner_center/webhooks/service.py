"""What an administrator does with webhook subscriptions (no GraphQL here).

Refusals are `WebhookRefused` with a code of `ErrorCode`; permission failures are
`Forbidden`, as everywhere. Only the partner's administrator manages webhooks: the
secret signs messages about every job and bill of the partner.
"""

from __future__ import annotations

import asyncio
import enum
import time
from dataclasses import dataclass

from partner_center.core.auth import Principal, Role
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.errors import Forbidden, Refused
from partner_center.core.ids import new_id
from partner_center.webhooks import delivery as deliveries
from partner_center.webhooks import secret as secrets
from partner_center.webhooks.messages import AttemptMessage
from partner_center.webhooks.models import DeliveryItem, SubscriptionItem
from partner_center.webhooks.publish import event_id
from partner_center.webhooks.settings import MAX_SUBSCRIPTIONS, webhook_settings
from partner_center.webhooks.store import WebhookStore
from partner_center.webhooks.topics import SUBSCRIBABLE, Topic
from partner_center.webhooks.urls import UrlRefused, check

MAX_TOPICS = len(SUBSCRIBABLE)


class ErrorCode(enum.StrEnum):
    INVALID_URL = "INVALID_URL"
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"
    UNRESOLVABLE_HOST = "UNRESOLVABLE_HOST"
    INVALID_TOPICS = "INVALID_TOPICS"
    TOO_MANY_SUBSCRIPTIONS = "TOO_MANY_SUBSCRIPTIONS"
    SUBSCRIPTION_NOT_FOUND = "SUBSCRIPTION_NOT_FOUND"
    SUBSCRIPTION_DISABLED = "SUBSCRIPTION_DISABLED"
    DELIVERY_NOT_FOUND = "DELIVERY_NOT_FOUND"
    DELIVERY_IN_PROGRESS = "DELIVERY_IN_PROGRESS"
    NOTHING_TO_CHANGE = "NOTHING_TO_CHANGE"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    IDEMPOTENCY_IN_PROGRESS = "IDEMPOTENCY_IN_PROGRESS"


class WebhookRefused(Refused):
    """A refusal of the webhooks area, with a code of its `ErrorCode`."""

    def __init__(self, code: ErrorCode, field: str | None, message: str) -> None:
        super().__init__(code, message, field)
        self.code: ErrorCode = code


@dataclass(frozen=True)
class WithSecret:
    subscription: SubscriptionItem
    secret: str  # shown to the caller once, never stored in the clear


def may_manage(principal: Principal) -> bool:
    return principal.role is Role.ADMIN


def require_admin(principal: Principal) -> None:
    if not may_manage(principal):
        raise Forbidden("only the partner administrator manages webhooks")


def _store(principal: Principal) -> WebhookStore:
    require_admin(principal)
    return WebhookStore(principal.partner_id)


def checked_url(url: str) -> str:
    try:
        target, _ = check(url, allow_loopback=webhook_settings().allow_loopback)
    except UrlRefused as refused:
        raise WebhookRefused(ErrorCode(refused.code), "url", refused.message) from None
    return target.url


def checked_topics(topics: list[Topic]) -> list[str]:
    chosen = list(dict.fromkeys(topics))
    if not chosen or any(t not in SUBSCRIBABLE for t in chosen):
        raise WebhookRefused(
            ErrorCode.INVALID_TOPICS,
            "topics",
            f"choose 1 to {MAX_TOPICS} of the subscribable topics",
        )
    return [t.value for t in chosen]


def _found(store: WebhookStore, subscription_id: str) -> SubscriptionItem:
    item = store.get_subscription(subscription_id)
    if item is None:
        raise WebhookRefused(
            ErrorCode.SUBSCRIPTION_NOT_FOUND,
            "subscriptionId",
            "no webhook subscription with this ID",
        )
    return item


def _create(principal: Principal, url: str, topics: list[Topic]) -> WithSecret:
    store = _store(principal)
    chosen = checked_topics(topics)
    clean = checked_url(url)
    existing, _ = store.subscriptions(limit=MAX_SUBSCRIPTIONS)
    if len(existing) >= MAX_SUBSCRIPTIONS:
        raise WebhookRefused(
            ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            None,
            f"a partner has at most {MAX_SUBSCRIPTIONS} subscriptions",
        )
    subscription_id = new_id()
    secret = secrets.new_secret()
    item = store.create_subscription(
        subscription_id,
        url=clean,
        topics=chosen,
        created_by=principal.user_id,
        ciphertext=secrets.seal(secret, principal.partner_id, subscription_id),
    )
    return WithSecret(item, secret)


async def create(principal: Principal, url: str, topics: list[Topic]) -> WithSecret:
    return await asyncio.to_thread(_create, principal, url, topics)


def _update(
    principal: Principal,
    subscription_id: str,
    url: str | None,
    topics: list[Topic] | None,
    enabled: bool | None,
) -> SubscriptionItem:
    store = _store(principal)
    item = _found(store, subscription_id)
    if url is None and topics is None and enabled is None:
        raise WebhookRefused(
            ErrorCode.NOTHING_TO_CHANGE, None, "give a url, topics or enabled to change"
        )
    changed = store.update_subscription(
        item,
        url=checked_url(url) if url is not None else None,
        topics=checked_topics(topics) if topics is not None else None,
        enabled=enabled,
    )
    if changed is None:
        raise WebhookRefused(
            ErrorCode.SUBSCRIPTION_NOT_FOUND,
            "subscriptionId",
            "no webhook subscription with this ID",
        )
    return changed


async def update(
    principal: Principal,
    subscription_id: str,
    *,
    url: str | None,
    topics: list[Topic] | None,
    enabled: bool | None,
) -> SubscriptionItem:
    return await asyncio.to_thread(_update, principal, subscription_id, url, topics, enabled)


def _rotate(principal: Principal, subscription_id: str) -> WithSecret:
    store = _store(principal)
    item = _found(store, subscription_id)
    secret = secrets.new_secret()
    rotated = store.rotate_secret(item, secrets.seal(secret, principal.partner_id, subscription_id))
    if rotated is None:
        raise WebhookRefused(
            ErrorCode.SUBSCRIPTION_NOT_FOUND,
            "subscriptionId",
            "no webhook subscription with this ID",
        )
    return WithSecret(rotated, secret)


async def rotate(principal: Principal, subscription_id: str) -> WithSecret:
    return await asyncio.to_thread(_rotate, principal, subscription_id)


def _delete(principal: Principal, subscription_id: str) -> str:
    if not _store(principal).delete_subscription(subscription_id):
        raise WebhookRefused(
            ErrorCode.SUBSCRIPTION_NOT_FOUND,
            "subscriptionId",
            "no webhook subscription with this ID",
        )
    return subscription_id


async def delete(principal: Principal, subscription_id: str) -> str:
    return await asyncio.to_thread(_delete, principal, subscription_id)


def _send_test(principal: Principal, subscription_id: str) -> DeliveryItem:
    """A `webhook.test` event for one subscription, delivered like any other (signed,
    retried); it goes to no other subscription and not to the event bus."""
    store = _store(principal)
    item = _found(store, subscription_id)
    if not item.enabled:
        raise WebhookRefused(
            ErrorCode.SUBSCRIPTION_DISABLED,
            "subscriptionId",
            "the subscription is disabled: enable it first",
        )
    test_id = new_id()
    event, _ = store.record_event(
        event_id("test", subscription_id, test_id),
        Topic.TEST.value,
        {"subscriptionId": subscription_id, "requestedAt": to_iso(utcnow())},
        to_iso(utcnow()),
    )
    delivery, _ = store.create_delivery(subscription_id, test_id, event)
    deliveries.first_attempt(principal.partner_id, delivery)
    return delivery


async def send_test(principal: Principal, subscription_id: str) -> DeliveryItem:
    return await asyncio.to_thread(_send_test, principal, subscription_id)


def _redeliver(principal: Principal, subscription_id: str, delivery_id: str) -> DeliveryItem:
    """A new run of the retry schedule, under the same webhook-id (receivers that did
    process it can tell)."""
    store = _store(principal)
    item = store.get_delivery(subscription_id, delivery_id)
    subscription = store.get_subscription(subscription_id)
    if item is None or subscription is None:
        raise WebhookRefused(
            ErrorCode.DELIVERY_NOT_FOUND, "deliveryId", "no webhook delivery with this ID"
        )
    if not subscription.enabled:
        raise WebhookRefused(
            ErrorCode.SUBSCRIPTION_DISABLED,
            "deliveryId",
            "the subscription is disabled: enable it first",
        )
    if not store.restart(item):
        raise WebhookRefused(
            ErrorCode.DELIVERY_IN_PROGRESS, "deliveryId", "the delivery is still being attempted"
        )
    item.refresh(consistent_read=True)
    deliveries.enqueue(
        AttemptMessage(
            principal.partner_id, subscription_id, delivery_id, int(item.run), 1, time.time()
        )
    )
    return item


async def redeliver(principal: Principal, subscription_id: str, delivery_id: str) -> DeliveryItem:
    return await asyncio.to_thread(_redeliver, principal, subscription_id, delivery_id)


# -- reads ---------------------------------------------------------------------------------


def _get(principal: Principal, subscription_id: str) -> SubscriptionItem | None:
    if not may_manage(principal):
        return None
    return WebhookStore(principal.partner_id).get_subscription(subscription_id)


async def get(principal: Principal, subscription_id: str) -> SubscriptionItem | None:
    return await asyncio.to_thread(_get, principal, subscription_id)


async def page(
    principal: Principal, *, after_id: str | None, limit: int
) -> tuple[list[SubscriptionItem], bool]:
    store = _store(principal)
    return await asyncio.to_thread(store.subscriptions, after_id=after_id, limit=limit)


async def delivery_page(
    principal: Principal, subscription_id: str, *, after_id: str | None, limit: int
) -> tuple[list[DeliveryItem], bool]:
    store = _store(principal)
    return await asyncio.to_thread(
        store.deliveries, subscription_id, after_id=after_id, limit=limit
    )


async def get_delivery(
    principal: Principal, subscription_id: str, delivery_id: str
) -> DeliveryItem | None:
    if not may_manage(principal):
        return None
    store = WebhookStore(principal.partner_id)
    return await asyncio.to_thread(store.get_delivery, subscription_id, delivery_id)
