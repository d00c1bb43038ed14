"""A token bucket kept in DynamoDB, so a budget holds across Lambda instances.

The rule is plain arithmetic (`refilled`, `retry_after`); the store applies it with a
version-conditioned write and retries when another instance got there first. Points
given back ride on this process's next take of the same bucket: one write for both.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from pynamodb.exceptions import PutError

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
# Per (partner, bucket): points this process gave back and has not written yet. They
# only ever raise a balance, so holding them back can refuse a request early (by at most
# one query's unspent points, until this process's next take), never let one overspend.
_OWED: dict[tuple[str, str], int] = {}


def _owed(key: tuple[str, str]) -> int:
    with _SEEN_LOCK:
        return _OWED.get(key, 0)


def _paid(key: tuple[str, str], points: int) -> None:
    with _SEEN_LOCK:
        left = _OWED.get(key, 0) - points
        if left > 0:
            _OWED[key] = left
        else:
            _OWED.pop(key, None)


def _remember(key: tuple[str, str], item: BudgetItem) -> None:
    with _SEEN_LOCK:
        if key not in _SEEN and len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.pop(next(iter(_SEEN)))
        _SEEN[key] = _Seen(int(item.tokens), int(item.updated_ms), int(item.version))


class BudgetStore:
    """A take is one conditional write when this process wrote the bucket last (the
    usual case: one instance serving a partner's burst), else a read and a write; it
    also writes the points this process gave back since, so a give-back costs no request
    of its own."""

    ATTEMPTS = 5

    def __init__(self, partner_id: str, bucket: str, policy: BudgetPolicy) -> None:
        self.partner_id, self.bucket, self.policy = partner_id, bucket, policy
        self._key = (partner_id, bucket)

    def _read(self) -> BudgetItem:
        try:
            item = BudgetItem.get(self.partner_id, self.bucket, consistent_read=True)
        except BudgetItem.DoesNotExist:
            return BudgetItem(
                self.partner_id,
                self.bucket,
                tokens=self.policy.capacity,
                updated_ms=int(time.time() * 1000),
                version=0,
            )
        _remember(self._key, item)
        return item

    def _last_seen(self) -> BudgetItem | None:
        with _SEEN_LOCK:
            seen = _SEEN.get(self._key)
        if seen is None:
            return None
        return BudgetItem(
            self.partner_id,
            self.bucket,
            tokens=seen.tokens,
            updated_ms=seen.updated_ms,
            version=seen.version,
        )

    def _write(self, item: BudgetItem, tokens: int, now_ms: int) -> bool:
        """A conditional write of the balance on the version `item` was read at."""
        expected = item.version
        condition = (
            (BudgetItem.version == expected) if expected else BudgetItem.bucket.does_not_exist()
        )
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
            owed = _owed(self._key)
            now_ms = int(time.time() * 1000)
            available = refilled(
                int(item.tokens) + owed, now_ms - int(item.updated_ms), self.policy
            )
            if available < cost:
                if not fresh:  # another instance may have given points back
                    item = None
                    continue
                return Decision(False, available, retry_after(cost, available, self.policy))
            if self._write(item, available - cost, now_ms):
                _paid(self._key, owed)
                return Decision(True, available - cost)
            item = None  # someone wrote since: read it again
        # Heavy contention: refuse briefly rather than overspend.
        return Decision(False, 0, 1)

    def give_back(self, points: int, remaining: int) -> int:
        """Return unspent points (requested minus actual) of a take that left
        `remaining`; returns the balance this process's next take starts from.

        The points are written with that next take (`take` adds them to the balance it
        writes), so a query that used less than it was charged costs no second request.
        """
        if points > 0:
            with _SEEN_LOCK:
                if self._key not in _OWED and len(_OWED) >= _SEEN_LIMIT:
                    _OWED.pop(next(iter(_OWED)))  # forgotten: the partner is undercredited
                _OWED[self._key] = _OWED.get(self._key, 0) + points
        return min(self.policy.capacity, remaining + max(points, 0))
