"""Subscriptions, events and deliveries in DynamoDB, scoped to one partner by
construction (every key starts from the partner ID)."""

from __future__ import annotations

import enum
import json
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from partner_center.core.clock import to_iso, utcnow
from partner_center.webhooks.models import (
    DELIVERY_PREFIX,
    SUBSCRIPTION_PREFIX,
    DeliveryItem,
    EventItem,
    SubscriptionItem,
    delivery_key,
    event_key,
    subscription_key,
)

# Events and deliveries are kept 30 days (readers check expires_at: moto never expires).
KEEP = timedelta(days=30)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # the first attempt is queued
    RETRYING = "retrying"  # an attempt failed; the next one is scheduled
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every attempt of the schedule failed (or the message died)
    CANCELLED = "cancelled"  # the subscription was deleted or disabled meanwhile


IN_FLIGHT = frozenset({DeliveryStatus.PENDING, DeliveryStatus.RETRYING})


def _conditional_failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


class WebhookStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    # -- subscriptions ------------------------------------------------------------------

    def get_subscription(self, subscription_id: str) -> SubscriptionItem | None:
        try:
            return SubscriptionItem.get(
                self.partner_id, subscription_key(subscription_id), consistent_read=True
            )
        except SubscriptionItem.DoesNotExist:
            return None

    def subscriptions(
        self, *, after_id: str | None = None, limit: int = 100
    ) -> tuple[list[SubscriptionItem], bool]:
        """Oldest first (IDs are time-ordered), up to `limit`, and whether more follow."""
        start = (
            {"partner_id": {"S": self.partner_id}, "entity": {"S": subscription_key(after_id)}}
            if after_id
            else None
        )
        found = list(
            SubscriptionItem.query(
                self.partner_id,
                SubscriptionItem.entity.startswith(SUBSCRIPTION_PREFIX),
                last_evaluated_key=start,
                limit=limit + 1,
                page_size=limit + 1,
                consistent_read=True,
            )
        )
        return found[:limit], len(found) > limit

    def subscribers(self, topic: str) -> list[SubscriptionItem]:
        items, _ = self.subscriptions(limit=100)
        return [s for s in items if s.enabled and topic in (s.topics or [])]

    def create_subscription(
        self, subscription_id: str, *, url: str, topics: list[str], ciphertext: str, created_by: str
    ) -> SubscriptionItem:
        now = to_iso(utcnow())
        item = SubscriptionItem(
            self.partner_id,
            subscription_key(subscription_id),
            subscription_id=subscription_id,
            url=url,
            topics=topics,
            enabled=True,
            secret_ciphertext=ciphertext,
            secret_rotated_at=now,
            consecutive_failures=0,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        item.save(condition=SubscriptionItem.entity.does_not_exist())
        return item

    def _update(self, item: SubscriptionItem, actions: list[Action]) -> SubscriptionItem | None:
        try:
            item.update(
                actions=[*actions, SubscriptionItem.updated_at.set(to_iso(utcnow()))],
                condition=SubscriptionItem.entity.exists(),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return None  # deleted meanwhile
            raise
        return item

    def update_subscription(
        self,
        item: SubscriptionItem,
        *,
        url: str | None,
        topics: list[str] | None,
        enabled: bool | None,
    ) -> SubscriptionItem | None:
        actions: list[Action] = []
        if url is not None:
            actions.append(SubscriptionItem.url.set(url))
        if topics is not None:
            actions.append(SubscriptionItem.topics.set(topics))
        if enabled is not None:
            actions.append(SubscriptionItem.enabled.set(enabled))
            if enabled:  # switched back on: a fresh start
                actions += [
                    SubscriptionItem.consecutive_failures.set(0),
                    SubscriptionItem.disabled_reason.remove(),
                    SubscriptionItem.disabled_at.remove(),
                ]
        return self._update(item, actions)

    def rotate_secret(self, item: SubscriptionItem, ciphertext: str) -> SubscriptionItem | None:
        return self._update(
            item,
            [
                SubscriptionItem.secret_ciphertext.set(ciphertext),
                SubscriptionItem.secret_rotated_at.set(to_iso(utcnow())),
            ],
        )

    def delete_subscription(self, subscription_id: str) -> bool:
        item = self.get_subscription(subscription_id)
        if item is None:
            return False
        item.delete()
        return True

    def reset_failures(self, subscription_id: str) -> None:
        item = SubscriptionItem(self.partner_id, subscription_key(subscription_id))
        try:
            item.update(
                actions=[SubscriptionItem.consecutive_failures.set(0)],
                condition=SubscriptionItem.entity.exists()
                & (SubscriptionItem.consecutive_failures > 0),
            )
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def count_failure(self, subscription_id: str) -> int | None:
        """One more delivery that failed all its attempts; the new run length (None when
        the subscription is gone)."""
        item = SubscriptionItem(self.partner_id, subscription_key(subscription_id))
        try:
            item.update(
                actions=[SubscriptionItem.consecutive_failures.add(1)],
                condition=SubscriptionItem.entity.exists(),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return None
            raise
        return int(item.consecutive_failures)

    def disable(self, subscription_id: str, reason: str) -> bool:
        """Switch an enabled subscription off; False when it was off or gone already."""
        item = SubscriptionItem(self.partner_id, subscription_key(subscription_id))
        now = to_iso(utcnow())
        try:
            item.update(
                actions=[
                    SubscriptionItem.enabled.set(False),
                    SubscriptionItem.disabled_reason.set(reason),
                    SubscriptionItem.disabled_at.set(now),
                    SubscriptionItem.updated_at.set(now),
                ],
                condition=SubscriptionItem.entity.exists() & (SubscriptionItem.enabled == True),  # noqa: E712 - a DynamoDB condition
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    # -- events -------------------------------------------------------------------------

    def record_event(
        self, event_id: str, topic: str, data: dict[str, Any], occurred_at: str
    ) -> tuple[EventItem, bool]:
        """The event, and whether this call recorded it (False: it existed already)."""
        item = EventItem(
            self.partner_id,
            event_key(event_id),
            event_id=event_id,
            topic=topic,
            data=json.dumps(data, sort_keys=True, separators=(",", ":")),
            occurred_at=occurred_at,
            expires_at=int((utcnow() + KEEP).timestamp()),
        )
        try:
            item.save(condition=EventItem.entity.does_not_exist())
            return item, True
        except PutError as exc:
            if not _conditional_failed(exc):
                raise
        existing = self.get_event(event_id)
        assert existing is not None
        return existing, False

    def get_event(self, event_id: str) -> EventItem | None:
        try:
            return EventItem.get(self.partner_id, event_key(event_id), consistent_read=True)
        except EventItem.DoesNotExist:
            return None

    def mark_published(self, item: EventItem) -> None:
        item.update(actions=[EventItem.published_at.set(to_iso(utcnow()))])

    # -- deliveries ---------------------------------------------------------------------

    def create_delivery(
        self, subscription_id: str, delivery_id: str, event: EventItem
    ) -> tuple[DeliveryItem, bool]:
        """The delivery, and whether this call created it (a repeated fan-out does not)."""
        item = DeliveryItem(
            self.partner_id,
            delivery_key(subscription_id, delivery_id),
            delivery_id=delivery_id,
            subscription_id=subscription_id,
            event_id=event.event_id,
            topic=event.topic,
            status=DeliveryStatus.PENDING,
            attempts=0,
            run=1,
            created_at=to_iso(utcnow()),
            expires_at=int((utcnow() + KEEP).timestamp()),
        )
        try:
            item.save(condition=DeliveryItem.entity.does_not_exist())
            return item, True
        except PutError as exc:
            if not _conditional_failed(exc):
                raise
        existing = self.get_delivery(subscription_id, delivery_id)
        assert existing is not None
        return existing, False

    def get_delivery(self, subscription_id: str, delivery_id: str) -> DeliveryItem | None:
        try:
            item = DeliveryItem.get(
                self.partner_id, delivery_key(subscription_id, delivery_id), consistent_read=True
            )
        except DeliveryItem.DoesNotExist:
            return None
        return item if item.expires_at > utcnow().timestamp() else None

    def deliveries(
        self, subscription_id: str, *, after_id: str | None, limit: int
    ) -> tuple[list[DeliveryItem], bool]:
        """Newest first."""
        start = (
            {
                "partner_id": {"S": self.partner_id},
                "entity": {"S": delivery_key(subscription_id, after_id)},
            }
            if after_id
            else None
        )
        found = list(
            DeliveryItem.query(
                self.partner_id,
                DeliveryItem.entity.startswith(f"{DELIVERY_PREFIX}{subscription_id}#"),
                filter_condition=DeliveryItem.expires_at > int(utcnow().timestamp()),
                scan_index_forward=False,
                last_evaluated_key=start,
                limit=limit + 1,
                page_size=max(limit + 1, 20),
            )
        )
        return found[:limit], len(found) > limit

    def save_attempt(
        self, item: DeliveryItem, *, run: int, attempts: int, actions: list[Action]
    ) -> bool:
        """Write an attempt's outcome, if the delivery is still at the run and attempt
        the worker read (a stale or duplicate message writes nothing)."""
        try:
            item.update(
                actions=actions,
                condition=(DeliveryItem.run == run) & (DeliveryItem.attempts == attempts),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def restart(self, item: DeliveryItem) -> bool:
        """A redelivery: a new run of the schedule under the same webhook-id, unless one
        is in flight."""
        try:
            item.update(
                actions=[
                    DeliveryItem.run.add(1),
                    DeliveryItem.attempts.set(0),
                    DeliveryItem.status.set(DeliveryStatus.PENDING),
                    DeliveryItem.next_retry_at.remove(),
                    DeliveryItem.finished_at.remove(),
                    DeliveryItem.expires_at.set(int((utcnow() + KEEP).timestamp())),
                ],
                condition=DeliveryItem.status.is_in(
                    DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED
                ),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True
