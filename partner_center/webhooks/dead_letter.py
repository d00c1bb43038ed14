"""The webhook dead-letter handler: a delivery whose schedule is exhausted (the worker
puts it here) or whose message kept failing is marked failed; enough of those in a row
switch the subscription off, with an audit event.

Event messages that died here (their fan-out kept failing) are logged by ID: the event
stays recorded, and its next emission (a redelivered job message) publishes it anew
only if it was never marked published.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pynamodb.exceptions import UpdateError

from partner_center.audit import log as audit_log
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.ids import global_id
from partner_center.core.logs import fields, get_logger
from partner_center.webhooks.messages import AttemptMessage, PoisonMessage, decode
from partner_center.webhooks.models import DeliveryItem
from partner_center.webhooks.settings import webhook_settings
from partner_center.webhooks.store import IN_FLIGHT, DeliveryStatus, WebhookStore

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

log = get_logger(__name__)
processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

DISABLED_REASON = "TOO_MANY_FAILURES"
DISABLE_OPERATION = "disableWebhookSubscription"


def mark_failed(message: AttemptMessage, request_id: str) -> str:
    store = WebhookStore(message.partner_id)
    item = store.get_delivery(message.subscription_id, message.delivery_id)
    if item is None:
        return "delivery missing"
    try:
        item.update(
            actions=[
                DeliveryItem.status.set(DeliveryStatus.FAILED),
                DeliveryItem.next_retry_at.remove(),
                DeliveryItem.finished_at.set(to_iso(utcnow())),
            ],
            condition=DeliveryItem.status.is_in(*IN_FLIGHT) & (DeliveryItem.run == message.run),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return "already settled"
    failures = store.count_failure(message.subscription_id)
    threshold = webhook_settings().disable_after
    if (
        failures is not None
        and failures >= threshold
        and store.disable(message.subscription_id, DISABLED_REASON)
    ):
        audit_log.record_system(
            message.partner_id,
            operation=DISABLE_OPERATION,
            target_ids=[global_id("WebhookSubscription", message.subscription_id)],
            error_codes=[DISABLED_REASON],
            request_id=request_id,
        )
        log.warning(
            "webhook subscription disabled",
            extra=fields(
                partner_id=message.partner_id,
                subscription_id=message.subscription_id,
                consecutive_failures=failures,
            ),
        )
        return "failed; subscription disabled"
    return "failed"


async def record_handler(record: SQSRecord) -> str:
    try:
        message = decode(record.body)
    except PoisonMessage:
        log.error(
            "unreadable dead-lettered webhook message dropped",
            extra=fields(message_id=record.message_id),
        )
        return "dropped"
    if not isinstance(message, AttemptMessage):
        log.error(
            "webhook event could not be fanned out",
            extra=fields(partner_id=message.partner_id, event_id=message.event_id),
        )
        return "event dropped"
    return await asyncio.to_thread(mark_failed, message, record.message_id)


def handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return async_process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
