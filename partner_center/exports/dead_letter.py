"""The dead-letter handler: a job whose message exhausted its receives is marked failed.

A job never stays `running` or `queued` after its last chance: whatever killed the
attempts (a crash, a fault, a missing table), the job reads failed with a code.
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

from partner_center.core.logs import fields, get_logger
from partner_center.jobs.codes import JobCode
from partner_center.jobs.messages import JobMessage, PoisonMessage
from partner_center.jobs.store import JobStore
from partner_center.webhooks.job_events import job_finished

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

log = get_logger(__name__)
# Failed records are reported one by one even when all fail, rather than by raising:
# SQS treats both alike, and the raised error would carry every record's exception text.
processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


async def record_handler(record: SQSRecord) -> str:
    try:
        message = JobMessage.decode(record.body)
    except PoisonMessage:
        # Nothing to mark: drop it, logging only the SQS message ID.
        log.error(
            "unreadable dead-lettered message dropped", extra=fields(message_id=record.message_id)
        )
        return "dropped"
    failed = await asyncio.to_thread(
        JobStore(message.partner_id).fail, message.job_id, JobCode.RETRIES_EXHAUSTED
    )
    log.warning(
        "job dead-lettered",
        extra=fields(job_id=message.job_id, partner_id=message.partner_id, marked_failed=failed),
    )
    await job_finished(message.partner_id, message.job_id)  # the failure's event, once
    return "failed" if failed else "already finished or missing"


def handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return async_process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
