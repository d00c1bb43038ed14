"""Enqueueing job messages on SQS."""

from __future__ import annotations

from partner_center.jobs.messages import JobMessage
from partner_center.storage import aws


async def enqueue(queue_url: str, message: JobMessage) -> None:
    async with aws.client("sqs") as sqs:
        await sqs.send_message(QueueUrl=queue_url, MessageBody=message.encode())
