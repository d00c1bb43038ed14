"""A queue-triggered job worker's Lambda handler: an SQS batch in, partial batch
failures out. Each kind of job (an export, a lead dispatch) gives its runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    AsyncBatchProcessor,
    EventType,
    async_process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from partner_center.config import Settings, get_settings
from partner_center.jobs.messages import JobMessage

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

# (partner ID, job ID, settings) -> what happened ("completed", "duplicate: …"); raises
# for the message to be retried.
JobRunner = Callable[[str, str, Settings], Awaitable[str]]
LambdaHandler = Callable[[dict[str, Any], Any], "PartialItemFailureResponse"]


def job_queue_handler(run: JobRunner) -> LambdaHandler:
    # Failed records are reported one by one even when all fail, rather than by raising:
    # SQS treats both alike, and the raised error would carry every record's exception
    # text into the Lambda log.
    processor = AsyncBatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    async def record_handler(record: SQSRecord) -> str:
        # A poison body raises here: it is retried, then dead-lettered like any failure.
        message = JobMessage.decode(record.body)
        return await run(message.partner_id, message.job_id, get_settings())

    def handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return async_process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handle
