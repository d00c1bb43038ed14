"""Emitting an event: recorded once, then put on the webhook queue and the event bus.

Callers (the job runners, the dead-letter handler, the bill run, incentive
applications) call `emit` every time they see the outcome, including on a duplicate
SQS delivery of a finished job: the event ID is derived from what happened, so the
record is written once, and publication happens once the record exists and is not yet
marked published. A crash between recording and publishing is healed by the next call;
a crash between publishing and marking may publish twice, which the fan-out absorbs
(delivery IDs are derived from the event and subscription).

Delivery itself is the webhook worker's: nothing here waits on a receiver, so a slow or
failing receiver cannot slow an export or the API.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from typing import Any, Literal

import boto3
from botocore.config import Config

from partner_center.config import get_settings
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.logs import fields, get_logger
from partner_center.webhooks.messages import EventMessage
from partner_center.webhooks.store import WebhookStore
from partner_center.webhooks.topics import DETAIL_TYPES, EVENT_SOURCE, Topic

log = get_logger(__name__)

QUEUE_KEY = "webhook"
BUS_ENV = "PC_PARTNER_EVENTS_BUS"


@lru_cache(maxsize=4)
def _client(service: Literal["sqs", "events"], endpoint_url: str | None, region: str) -> Any:
    # Sync clients, made once per process: emission runs in worker threads (pynamodb is
    # blocking too), and botocore clients are safe to share between threads.
    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=16),
    )


def client(service: Literal["sqs", "events"]) -> Any:
    settings = get_settings()
    return _client(service, settings.aws_endpoint_url, settings.region)


def event_id(*parts: str) -> str:
    """A deterministic event ID from what happened ("job", job ID, status…)."""
    return "evt_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def envelope(topic: str, event: str, occurred_at: str, data: dict[str, Any]) -> dict[str, Any]:
    """The delivered body (Standard Webhooks' type/timestamp/data, plus the event ID)."""
    return {"id": event, "type": topic, "timestamp": occurred_at, "data": data}


def emit(
    partner_id: str, topic: Topic, event: str, data: dict[str, Any], occurred_at: str | None = None
) -> bool:
    """Record and publish one event; True when this call published it."""
    store = WebhookStore(partner_id)
    item, _ = store.record_event(event, topic.value, data, occurred_at or to_iso(utcnow()))
    if item.published_at:
        return False
    settings = get_settings()
    client("sqs").send_message(
        QueueUrl=settings.queue_url(QUEUE_KEY), MessageBody=EventMessage(partner_id, event).encode()
    )
    bus = os.environ.get(BUS_ENV)
    if bus and topic in DETAIL_TYPES:
        detail = envelope(topic.value, event, item.occurred_at, json.loads(item.data))
        detail["partnerId"] = partner_id
        answer = client("events").put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": DETAIL_TYPES[topic],
                    "EventBusName": bus,
                    "Resources": [],
                    "Detail": json.dumps(detail),
                }
            ]
        )
        if answer.get("FailedEntryCount"):
            raise RuntimeError("the event bus refused the event")
    store.mark_published(item)
    log.info(
        "webhook event published",
        extra=fields(partner_id=partner_id, event_id=event, topic=topic.value),
    )
    return True
