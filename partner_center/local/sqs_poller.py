"""The local stand-in for Lambda's SQS event source mapping.

moto stores queues but never invokes functions, so this loop does what the mapping
does in the cloud: receive a batch, hand the handler the same event shape, delete the
records it did not report as failed, and leave failed ones to reappear after the
visibility timeout. The queue's own redrive policy (applied by moto on receive) moves a
message that keeps failing to the dead-letter queue.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from partner_center.core.logs import fields, get_logger
from partner_center.local.lambda_context import LocalContext

log = get_logger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class PollResult:
    received: int
    succeeded: int
    failed: int


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda builds from a batch of received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody") or hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class QueuePoller:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        function_name: str,
        batch_size: int = 10,
        wait_seconds: int = 1,
        timeout_seconds: int = 300,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.wait_seconds = wait_seconds
        self.timeout_seconds = timeout_seconds
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        self.queue_arn = attributes["Attributes"]["QueueArn"]
        self.region = sqs.meta.region_name

    def poll_once(self) -> PollResult:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return PollResult(0, 0, 0)
        event = sqs_event(messages, self.queue_arn, self.region)
        context = LocalContext(
            function_name=self.function_name, timeout_seconds=self.timeout_seconds
        )
        try:
            result = self.handler(event, context) or {}
        except Exception as exc:
            # As in the cloud: an invocation error returns the whole batch to the queue.
            log.error(
                "handler invocation failed",
                extra=fields(function=self.function_name, messages=len(messages)),
                exc_info=exc,
            )
            return PollResult(len(messages), 0, len(messages))
        failed_ids = {f.get("itemIdentifier") for f in result.get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(done[start : start + 10])
                ],
            )
        return PollResult(len(messages), len(done), len(messages) - len(done))

    def run(self, stop: threading.Event) -> None:
        log.info("worker polling", extra=fields(function=self.function_name))
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # the embedded AWS going away at shutdown, mostly
                if stop.is_set():
                    break
                log.error("poll failed", extra=fields(function=self.function_name), exc_info=exc)
                stop.wait(1.0)
