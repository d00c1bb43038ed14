"""The local event source mapping behaves like Lambda's, on a real (embedded) queue."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from partner_center.local.sqs_poller import QueuePoller


@pytest.fixture
def queues(sqs: Any) -> tuple[str, str]:
    name = f"poller-{uuid.uuid4().hex[:8]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
        },
    )["QueueUrl"]
    return queue, dlq


def send(sqs: Any, url: str, *bodies: str) -> None:
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)]
    )


def test_event_has_lambdas_sqs_shape(sqs: Any, queues: tuple[str, str]) -> None:
    queue, _ = queues
    send(sqs, queue, "hello")
    seen: list[dict[str, Any]] = []
    poller = QueuePoller(
        sqs, queue, lambda event, _: seen.append(event) or {}, function_name="f", wait_seconds=0
    )
    assert poller.poll_once().succeeded == 1
    record = seen[0]["Records"][0]
    assert record["body"] == "hello" and record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(queue.rsplit("/", 1)[-1])
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"messageId", "receiptHandle", "md5OfBody", "awsRegion"} <= set(record)


def test_partial_failures_return_only_the_failed_records(sqs: Any, queues: tuple[str, str]) -> None:
    queue, _ = queues
    send(sqs, queue, "ok-1", "bad", "ok-2")

    def handler(event: dict[str, Any], _: Any) -> dict[str, Any]:
        return {
            "batchItemFailures": [
                {"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"
            ]
        }

    poller = QueuePoller(sqs, queue, handler, function_name="f", wait_seconds=0)
    result = poller.poll_once()
    assert (result.received, result.succeeded, result.failed) == (3, 2, 1)
    time.sleep(1.2)
    again = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in again] == ["bad"]


def test_a_message_that_keeps_failing_goes_to_the_dead_letter_queue(
    sqs: Any, queues: tuple[str, str]
) -> None:
    queue, dlq = queues
    send(sqs, queue, "poison")

    def explode(event: dict[str, Any], _: Any) -> dict[str, Any]:
        raise RuntimeError("invocation error: the whole batch returns")

    poller = QueuePoller(sqs, queue, explode, function_name="f", wait_seconds=0)
    for _ in range(2):  # maxReceiveCount
        assert poller.poll_once().failed == 1
        time.sleep(1.2)
    assert poller.poll_once().received == 0  # moved on this receive
    moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in moved] == ["poison"]
