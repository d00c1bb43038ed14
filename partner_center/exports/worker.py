"""The export worker's Lambda handler: an SQS batch in, partial batch failures out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from partner_center.config import get_settings
from partner_center.exports.runner import load_plans, run_export
from partner_center.jobs.messages import JobMessage

# This worker runs every export kind: their plans load with it, not on the first job.
load_plans()

# Failed records are reported one by one even when all fail, rather than by raising:
# SQS treats both alike, and the raised error would carry every record's exception text.
processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


async def record_handler(record: SQSRecord) -> str:
    # A poison body raises here: it is retried, then dead-lettered like any failure.
    message = JobMessage.decode(record.body)
    return await run_export(message.partner_id, message.job_id, get_settings())


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return async_process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context)
