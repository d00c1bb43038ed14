"""The webhook worker's work: fan an event out to its subscribers, and make one attempt
of one delivery, scheduling the next or handing the delivery to the dead-letter queue.

Each message is one step; every write is conditional on the step it read (the run and
attempt number), so a duplicate or stale message does nothing twice. A delivery keeps
one webhook-id (its delivery ID) across all its attempts and redeliveries, so a
receiver can deduplicate.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from partner_center.config import get_settings
from partner_center.core.clock import from_iso, to_iso, utcnow
from partner_center.core.logs import fields, get_logger
from partner_center.webhooks import secret as secrets
from partner_center.webhooks.messages import AttemptMessage, EventMessage
from partner_center.webhooks.models import DeliveryItem, EventItem
from partner_center.webhooks.publish import QUEUE_KEY, client, envelope
from partner_center.webhooks.schedule import next_delay, sqs_delay
from partner_center.webhooks.sender import body_of, send
from partner_center.webhooks.settings import WebhookSettings
from partner_center.webhooks.store import IN_FLIGHT, DeliveryStatus, WebhookStore

if TYPE_CHECKING:
    import httpx  # the worker's client; the API, which only enqueues, never loads it

log = get_logger(__name__)

DEAD_LETTER_KEY = "webhook_dead_letter"


def webhook_id(delivery_id: str) -> str:
    return f"msg_{delivery_id}"


def fanout_delivery_id(event: EventItem, subscription_id: str) -> str:
    """Time-ordered like `new_id` (the event's millisecond), and derived from the event
    and the subscription, so fanning the same event out twice makes one delivery."""
    millis = int(from_iso(event.occurred_at).timestamp() * 1000)
    digest = hashlib.sha256(f"{event.event_id}#{subscription_id}".encode()).hexdigest()
    return f"{millis:012x}{digest[:16]}"


def enqueue(message: AttemptMessage, delay_seconds: int = 0, *, queue: str = QUEUE_KEY) -> None:
    client("sqs").send_message(
        QueueUrl=get_settings().queue_url(queue),
        MessageBody=message.encode(),
        DelaySeconds=delay_seconds,
    )


def first_attempt(partner_id: str, delivery: DeliveryItem) -> None:
    enqueue(
        AttemptMessage(
            partner_id,
            delivery.subscription_id,
            delivery.delivery_id,
            int(delivery.run),
            1,
            time.time(),
        )
    )


def fan_out(message: EventMessage) -> str:
    store = WebhookStore(message.partner_id)
    event = store.get_event(message.event_id)
    if event is None:
        return "event missing"
    started = 0
    for subscription in store.subscribers(event.topic):
        delivery, created = store.create_delivery(
            subscription.subscription_id,
            fanout_delivery_id(event, subscription.subscription_id),
            event,
        )
        # A delivery found still at its first attempt is queued again: the fan-out that
        # created it may have died before queueing it (a duplicate attempt carries the
        # same webhook-id, and only one of them is recorded).
        if created or (delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0):
            first_attempt(message.partner_id, delivery)
            started += 1
    return f"fanned out to {started}"


async def attempt(
    message: AttemptMessage, settings: WebhookSettings, http: httpx.AsyncClient
) -> str:
    now = time.time()
    if message.not_before > now + 1:
        # Not yet due: another hop of at most 15 minutes, no attempt.
        await asyncio.to_thread(enqueue, message, sqs_delay(message.not_before - now))
        return "not yet due"
    store = WebhookStore(message.partner_id)
    delivery = await asyncio.to_thread(
        store.get_delivery, message.subscription_id, message.delivery_id
    )
    if (
        delivery is None
        or delivery.status not in IN_FLIGHT
        or int(delivery.run) != message.run
        or int(delivery.attempts) != message.attempt - 1
    ):
        return "stale"
    subscription = await asyncio.to_thread(store.get_subscription, message.subscription_id)
    if subscription is None or not subscription.enabled:
        await asyncio.to_thread(
            store.save_attempt,
            delivery,
            run=message.run,
            attempts=message.attempt - 1,
            actions=[
                DeliveryItem.status.set(DeliveryStatus.CANCELLED),
                DeliveryItem.next_retry_at.remove(),
                DeliveryItem.finished_at.set(to_iso(utcnow())),
            ],
        )
        return "cancelled"
    event = await asyncio.to_thread(store.get_event, delivery.event_id)
    if event is None:
        raise RuntimeError("the delivery's event is gone")
    secret = secrets.unseal(
        subscription.secret_ciphertext, message.partner_id, subscription.subscription_id
    )
    body = body_of(envelope(event.topic, event.event_id, event.occurred_at, json.loads(event.data)))
    sent = await send(
        http, settings, subscription.url, secret, webhook_id(delivery.delivery_id), body
    )
    attempts = message.attempt
    common = [
        DeliveryItem.attempts.set(attempts),
        DeliveryItem.last_attempt_at.set(to_iso(utcnow())),
    ]
    common.append(
        DeliveryItem.http_status.set(sent.http_status)
        if sent.http_status is not None
        else DeliveryItem.http_status.remove()
    )
    common.append(
        DeliveryItem.latency_ms.set(sent.latency_ms)
        if sent.latency_ms is not None
        else DeliveryItem.latency_ms.remove()
    )
    common.append(
        DeliveryItem.last_error.set(sent.error) if sent.error else DeliveryItem.last_error.remove()
    )
    log_fields = fields(
        partner_id=message.partner_id,
        delivery_id=delivery.delivery_id,
        subscription_id=subscription.subscription_id,
        attempt=attempts,
        http_status=sent.http_status,
        error=sent.error,
        latency_ms=sent.latency_ms,
    )
    if sent.ok:
        saved = await asyncio.to_thread(
            store.save_attempt,
            delivery,
            run=message.run,
            attempts=attempts - 1,
            actions=[
                *common,
                DeliveryItem.status.set(DeliveryStatus.SUCCEEDED),
                DeliveryItem.next_retry_at.remove(),
                DeliveryItem.finished_at.set(to_iso(utcnow())),
            ],
        )
        if saved:
            await asyncio.to_thread(store.reset_failures, subscription.subscription_id)
        log.info("webhook delivered", extra=log_fields)
        return "delivered"
    delay = next_delay(settings, attempts)
    if delay is None:
        # The schedule is exhausted: the dead-letter handler marks it failed and counts
        # the failure against the subscription.
        saved = await asyncio.to_thread(
            store.save_attempt,
            delivery,
            run=message.run,
            attempts=attempts - 1,
            actions=[*common, DeliveryItem.next_retry_at.remove()],
        )
        if saved:
            await asyncio.to_thread(enqueue, message, queue=DEAD_LETTER_KEY)
        log.warning("webhook delivery exhausted its attempts", extra=log_fields)
        return "dead-lettered"
    due = datetime.now(UTC) + timedelta(seconds=delay)
    saved = await asyncio.to_thread(
        store.save_attempt,
        delivery,
        run=message.run,
        attempts=attempts - 1,
        actions=[
            *common,
            DeliveryItem.status.set(DeliveryStatus.RETRYING),
            DeliveryItem.next_retry_at.set(to_iso(due)),
        ],
    )
    if saved:
        following = AttemptMessage(
            message.partner_id,
            message.subscription_id,
            message.delivery_id,
            message.run,
            attempts + 1,
            due.timestamp(),
        )
        await asyncio.to_thread(enqueue, following, sqs_delay(delay))
    log.info("webhook attempt failed; retry scheduled", extra=log_fields)
    return "retry scheduled"
