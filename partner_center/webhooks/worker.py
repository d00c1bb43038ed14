"""The webhook worker's Lambda handler: fan-outs and delivery attempts, an SQS batch in,
partial batch failures out. A receiver's slowness costs this worker only, never the
API or the export worker: they only put a message on the webhook queue."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from partner_center.webhooks import delivery
from partner_center.webhooks.messages import EventMessage, decode
from partner_center.webhooks.sender import new_client
from partner_center.webhooks.settings import webhook_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


async def record_handler(record: SQSRecord) -> str:
    # A poison body raises here: it is retried, then dead-lettered like any failure.
    message = decode(record.body)
    if isinstance(message, EventMessage):
        return await asyncio.to_thread(delivery.fan_out, message)
    settings = webhook_settings()
    async with new_client(settings) as http:
        return await delivery.attempt(message, settings, http)


def handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return async_process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
