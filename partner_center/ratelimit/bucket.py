"""A token bucket kept in DynamoDB, so a budget holds across Lambda instances.

The rule is plain arithmetic (`refilled`, `retry_after`); the store applies it with a
version-conditioned write and retries when another instance got there first.
"""

from __future__ import annotations

import math
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


class BudgetStore:
    ATTEMPTS = 5

    def __init__(self, partner_id: str, bucket: str, policy: BudgetPolicy) -> None:
        self.partner_id, self.bucket, self.policy = partner_id, bucket, policy

    def _read(self) -> BudgetItem:
        try:
            return BudgetItem.get(self.partner_id, self.bucket, consistent_read=True)
        except BudgetItem.DoesNotExist:
            return BudgetItem(self.partner_id, self.bucket, tokens=self.policy.capacity,
                              updated_ms=int(time.time() * 1000), version=0)

    def _write(self, item: BudgetItem, tokens: int, now_ms: int) -> bool:
        expected = item.version
        condition = (BudgetItem.version == expected) if expected else \
            BudgetItem.bucket.does_not_exist()
        item.tokens, item.updated_ms, item.version = tokens, now_ms, expected + 1
        try:
            item.save(condition=condition)
            return True
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False

    def take(self, cost: int) -> Decision:
        for _ in range(self.ATTEMPTS):
            item = self._read()
            now_ms = int(time.time() * 1000)
            available = refilled(int(item.tokens), now_ms - int(item.updated_ms), self.policy)
            if available < cost:
                return Decision(False, available, retry_after(cost, available, self.policy))
            if self._write(item, available - cost, now_ms):
                return Decision(True, available - cost)
        # Heavy contention: refuse briefly rather than overspend.
        return Decision(False, 0, 1)

    def give_back(self, points: int) -> int:
        """Return unspent points (requested minus actual); returns the new balance."""
        for _ in range(self.ATTEMPTS):
            item = self._read()
            now_ms = int(time.time() * 1000)
            available = refilled(int(item.tokens), now_ms - int(item.updated_ms), self.policy)
            balance = min(self.policy.capacity, available + max(points, 0))
            if self._write(item, balance, now_ms):
                return balance
        return int(item.tokens)
