"""The provider's queue of payment agreements and contracts awaiting review.

Agreements and contracts live under their partner, so finding every partner's pending
ones would mean scanning the table. Each one submitted also writes a queue entry under
the reserved `platform` partition, in the same transaction, keyed by its time-ordered
ID: the queue reads oldest first with one query. Closing a record (review, revocation,
cancellation) removes its entry afterwards. The record stays the authority: the queue
is read together with the records, and an entry whose record is no longer pending (a
crash between closing and removing, or an agreement whose validity ran out while it
waited) is skipped and removed then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pynamodb.exceptions import DeleteError

from partner_center.core.tenancy import PLATFORM_PARTITION
from partner_center.finance.models import FinanceRecord

QUEUE_PARTITION = PLATFORM_PARTITION

T = TypeVar("T")


@dataclass(frozen=True)
class Queue:
    """One kind of record in the queue: its entries' prefix and its records' prefix."""

    entry_prefix: str  # "REVIEW#AGR#"
    record_prefix: str  # "AGR#"

    def entry(self, partner_id: str, record_id: str) -> FinanceRecord:
        return FinanceRecord(
            QUEUE_PARTITION,
            f"{self.entry_prefix}{record_id}",
            record_id=record_id,
            subject_partner_id=partner_id,
        )

    def remove(self, record_id: str) -> None:
        """Best effort: an entry left behind is skipped and removed by the next read."""
        try:
            FinanceRecord(QUEUE_PARTITION, f"{self.entry_prefix}{record_id}").delete()
        except DeleteError:
            return

    def pending(
        self,
        *,
        waiting: Callable[[FinanceRecord], T | None],
        partner_id: str | None,
        after_id: str | None,
        limit: int,
    ) -> tuple[list[T], bool]:
        """Up to `limit` records still waiting, oldest first (of `partner_id` only, when
        given), as `waiting` reads them (None: no longer waiting), and whether more
        follow."""
        start = None
        if after_id:
            start = {
                "partner_id": {"S": QUEUE_PARTITION},
                "record_key": {"S": f"{self.entry_prefix}{after_id}"},
            }
        found: list[T] = []
        while len(found) <= limit:
            entries = FinanceRecord.query(
                QUEUE_PARTITION,
                FinanceRecord.record_key.startswith(self.entry_prefix),
                filter_condition=(
                    FinanceRecord.subject_partner_id == partner_id if partner_id else None
                ),
                last_evaluated_key=start,
                limit=limit + 1 - len(found),
                page_size=max(limit + 1, 25),
            )
            batch = list(entries)
            if not batch:
                break
            keys = [(e.subject_partner_id, f"{self.record_prefix}{e.record_id}") for e in batch]
            records = {(r.partner_id, r.record_key): r for r in FinanceRecord.batch_get(keys)}
            for entry, key in zip(batch, keys, strict=True):
                record = records.get(key)
                still = waiting(record) if record is not None else None
                if still is not None:
                    found.append(still)
                else:
                    self.remove(entry.record_id)
            if entries.last_evaluated_key is None:
                break
            start = entries.last_evaluated_key
        return found[:limit], len(found) > limit


AGREEMENTS = Queue("REVIEW#AGR#", "AGR#")
CONTRACTS = Queue("REVIEW#CON#", "CON#")
