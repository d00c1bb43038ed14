"""A token bucket kept in DynamoDB, so a budget holds across Lambda instances.

The rule is plain arithmetic (`refilled`, `retry_after`); the store applies it with a
version-conditioned write and retries when another instance got there first. Points
given back are added atomically.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from pynamodb.exceptions import PutError, UpdateError

from partner_center.ratelimit.models import BudgetItem


@dataclass(frozen=True)
class BudgetPolicy:
    capacity: int
    refill_per_second: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after_seconds: int = 0


def refilled(tokens: int, elapsed_ms: int, policy: BudgetPolicy) -> int:
    return min(policy.capacity, tokens + elapsed_ms * policy.refill_per_second // 1000)


def retry_after(needed: int, available: int, policy: BudgetPolicy) -> int:
    return max(1, math.ceil((needed - available) / policy.refill_per_second))


@dataclass(frozen=True)
class _Seen:
    """The bucket as this process last wrote or read it."""

    tokens: int
    updated_ms: int
    version: int


# Per (partner, bucket): what this process last saw. Only ever used as the expected
# version of a conditional write (which DynamoDB refuses if anyone wrote since), never to
# decide alone: a refusal is always made on a fresh, consistent read.
_SEEN: dict[tuple[str, str], _Seen] = {}
_SEEN_LIMIT = 4096
_SEEN_LOCK = threading.Lock()


def _remember(key: tuple[str, str], item: BudgetItem) -> None:
    with _SEEN_LOCK:
        if key not in _SEEN and len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.pop(next(iter(_SEEN)))
        _SEEN[key] = _Seen(int(item.tokens), int(item.updated_ms), int(item.version))


class BudgetStore:
    """A take is one conditional write when this process wrote the bucket last (the
    usual case: one instance serving a partner's burst), else a read and a write; a
    give-back is one atomic ADD, whoever wrote last."""

    ATTEMPTS = 5

    def __init__(self, partner_id: str, bucket: str, policy: BudgetPolicy) -> None:
        self.partner_id, self.bucket, self.policy = partner_id, bucket, policy
        self._key = (partner_id, bucket)

    def _read(self) -> BudgetItem:
        try:
            item = BudgetItem.get(self.partner_id, self.bucket, consistent_read=True)
        except BudgetItem.DoesNotExist:
            return BudgetItem(self.partner_id, self.bucket, tokens=self.policy.capacity,
                              updated_ms=int(time.time() * 1000), version=0)
        _remember(self._key, item)
        return item

    def _last_seen(self) -> BudgetItem | None:
        with _SEEN_LOCK:
            seen = _SEEN.get(self._key)
        if seen is None:
            return None
        return BudgetItem(self.partner_id, self.bucket, tokens=seen.tokens,
                          updated_ms=seen.updated_ms, version=seen.version)

    def _write(self, item: BudgetItem, tokens: int, now_ms: int) -> bool:
        expected = item.version
        condition = (BudgetItem.version == expected) if expected else \
            BudgetItem.bucket.does_not_exist()
        item.tokens, item.updated_ms, item.version = tokens, now_ms, expected + 1
        try:
            item.save(condition=condition)
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False
        _remember(self._key, item)
        return True

    def take(self, cost: int) -> Decision:
        item = self._last_seen()
        for _ in range(self.ATTEMPTS):
            fresh = item is None
            if fresh:
                item = self._read()
            assert item is not None
            now_ms = int(time.time() * 1000)
            available = refilled(int(item.tokens), now_ms - int(item.updated_ms), self.policy)
            if available < cost:
                if not fresh:  # another instance may have given points back
                    item = None
                    continue
                return Decision(False, available, retry_after(cost, available, self.policy))
            if self._write(item, available - cost, now_ms):
                return Decision(True, available - cost)
            item = None  # someone wrote since: read it again
        # Heavy contention: refuse briefly rather than overspend.
        return Decision(False, 0, 1)

    def give_back(self, points: int) -> int:
        """Return unspent points (requested minus actual); returns the new balance.

        Adding to `tokens` without moving `updated_ms` gives the balance a read-refill-
        add-write would (the refill is capped at `capacity` on every read, and capping
        before or after adding non-negative points is the same), in one atomic request.
        """
        item = BudgetItem(self.partner_id, self.bucket)
        try:
            item.update(actions=[BudgetItem.tokens.add(max(points, 0)),
                                 BudgetItem.version.add(1)],
                        condition=BudgetItem.bucket.exists())
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return self._read_balance()  # no bucket: nothing was taken from it
        _remember(self._key, item)
        return refilled(int(item.tokens), int(time.time() * 1000) - int(item.updated_ms),
                        self.policy)

    def _read_balance(self) -> int:
        item = self._read()
        return refilled(int(item.tokens), int(time.time() * 1000) - int(item.updated_ms),
                        self.policy)
