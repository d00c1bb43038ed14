"""The webhooks table: subscriptions, recorded events and deliveries, under the partner.

One table, three kinds of item told apart by the range key:

- a subscription: `S#<subscription_id>`;
- an event: `E#<event_id>`. Event IDs are deterministic (derived from what happened:
  the job and its final status, the bill's month, the application and its status), so
  recording an event twice is one conditional put that fails: a duplicate SQS delivery
  of a finished job produces no second event;
- a delivery of an event to a subscription: `D#<subscription_id>#<delivery_id>`.
  Delivery IDs are time-ordered (newest-first is a reverse key scan) and are the
  `webhook-id` header of every attempt, retries and redeliveries included.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from partner_center.storage.attributes import StringListAttribute
from partner_center.storage.registry import register

SUBSCRIPTION_PREFIX = "S#"
EVENT_PREFIX = "E#"
DELIVERY_PREFIX = "D#"


def subscription_key(subscription_id: str) -> str:
    return f"{SUBSCRIPTION_PREFIX}{subscription_id}"


def event_key(event_id: str) -> str:
    return f"{EVENT_PREFIX}{event_id}"


def delivery_key(subscription_id: str, delivery_id: str) -> str:
    return f"{DELIVERY_PREFIX}{subscription_id}#{delivery_id}"


class SubscriptionItem(Model):
    class Meta:
        table_name = "partner-center-webhooks"

    partner_id = UnicodeAttribute(hash_key=True)
    entity = UnicodeAttribute(range_key=True)
    subscription_id = UnicodeAttribute()
    url = UnicodeAttribute()
    topics = StringListAttribute()
    enabled = BooleanAttribute(default=True)
    # The signing secret, AES-GCM encrypted under PC_WEBHOOK_SECRET_KEY (secrets.py):
    # never stored, logged or returned in the clear after creation or rotation.
    secret_ciphertext = UnicodeAttribute()
    secret_rotated_at = UnicodeAttribute()
    consecutive_failures = NumberAttribute(default=0)
    disabled_reason = UnicodeAttribute(null=True)  # e.g. "TOO_MANY_FAILURES"
    disabled_at = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class EventItem(Model):
    """An event as recorded once: its topic and payload data (IDs, statuses, counts and
    timestamps only)."""

    class Meta:
        table_name = "partner-center-webhooks"

    partner_id = UnicodeAttribute(hash_key=True)
    entity = UnicodeAttribute(range_key=True)
    event_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    data = UnicodeAttribute()  # JSON
    occurred_at = UnicodeAttribute()
    # Set once the event is on the webhook queue and the bus: a retried emission
    # after a crash in between sends it, an emission after that does nothing.
    published_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()


class DeliveryItem(Model):
    class Meta:
        table_name = "partner-center-webhooks"

    partner_id = UnicodeAttribute(hash_key=True)
    entity = UnicodeAttribute(range_key=True)
    delivery_id = UnicodeAttribute()  # the webhook-id header, on every attempt
    subscription_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    topic = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | retrying | succeeded | failed | cancelled
    # Attempts of the current run; a redelivery starts a new run (same webhook-id).
    run = NumberAttribute(default=1)
    attempts = NumberAttribute(default=0)
    http_status = NumberAttribute(null=True)
    latency_ms = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)  # a code (TIMEOUT, CONNECT_ERROR, HTTP_503…)
    last_attempt_at = UnicodeAttribute(null=True)
    next_retry_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()


register(SubscriptionItem, "webhooks")
register(EventItem, "webhooks")
register(DeliveryItem, "webhooks")
