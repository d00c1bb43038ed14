"""Bills of one partner in DynamoDB; every change is a conditional write.

Generation writes the items under a fresh generation ID and then the bill itself with
"does not exist yet": of two racing generations exactly one bill is written, and the
loser's items are never read (and are deleted by the loser). Status changes and
adjustments are conditional on the expected status and version.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from partner_center.bills.bill import (
    Adjustment,
    Bill,
    BillItem,
    BillStatus,
    may_adjust,
    may_move,
)
from partner_center.bills.exact import sums
from partner_center.bills.models import BillRecord
from partner_center.bills.months import Month
from partner_center.bills.rollup import Rollup
from partner_center.core.clock import to_iso
from partner_center.core.ids import new_id
from partner_center.storage.transactions import transaction_connection

BILL = "BILL#"
ITEM = "ITEM#"
ADJ = "ADJ#"


class BillIntegrityError(Exception):
    """What was read back does not match what the bill says it holds."""


class StatusRefused(Exception):
    """The bill is not in a status that allows this change."""

    def __init__(self, current: BillStatus | None) -> None:
        super().__init__(current.value if current else "missing")
        self.current = current


class ConcurrentChange(Exception):
    """The bill changed between reading and writing; the caller may retry."""


def _conditional(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def _item_key(month: Month, generation_id: str, seq: int) -> str:
    return f"{ITEM}{month}#{generation_id}#{seq:06d}"


class BillStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    # -- reads ------------------------------------------------------------------------

    def get(self, month: Month) -> Bill | None:
        try:
            record = BillRecord.get(self.partner_id, f"{BILL}{month}", consistent_read=True)
        except BillRecord.DoesNotExist:
            return None
        return Bill.from_record(record)

    def page(self, *, after_month: str | None, limit: int) -> tuple[list[Bill], bool]:
        """Newest month first: up to `limit` bills and whether more follow."""
        start = None
        if after_month:
            start = {
                "partner_id": {"S": self.partner_id},
                "record_key": {"S": f"{BILL}{after_month}"},
            }
        records = BillRecord.query(
            self.partner_id,
            BillRecord.record_key.startswith(BILL),
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=limit + 1,
        )
        bills = [Bill.from_record(r) for r in records]
        return bills[:limit], len(bills) > limit

    def items(
        self, bill: Bill, *, after_seq: int | None, limit: int
    ) -> tuple[list[BillItem], bool]:
        prefix = f"{ITEM}{bill.month}#{bill.generation_id}#"
        start = None
        if after_seq is not None:
            start = {
                "partner_id": {"S": self.partner_id},
                "record_key": {"S": _item_key(bill.month, bill.generation_id, after_seq)},
            }
        records = BillRecord.query(
            self.partner_id,
            BillRecord.record_key.startswith(prefix),
            consistent_read=True,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=limit + 1,
        )
        items = [BillItem.from_record(r) for r in records]
        return items[:limit], len(items) > limit

    def item_pages(self, bill: Bill, page_size: int = 500) -> Iterator[list[BillItem]]:
        """Every item of the bill, a page at a time; fails if any is missing."""
        prefix = f"{ITEM}{bill.month}#{bill.generation_id}#"
        page: list[BillItem] = []
        seen = 0
        total = Decimal(0)
        for record in BillRecord.query(
            self.partner_id,
            BillRecord.record_key.startswith(prefix),
            consistent_read=True,
            page_size=page_size,
        ):
            item = BillItem.from_record(record)
            with sums():
                total += item.amount
            seen += 1
            page.append(item)
            if len(page) >= page_size:
                yield page
                page = []
        if seen != bill.item_count or total != bill.consumption_total:
            raise BillIntegrityError(
                f"bill {bill.month} of {self.partner_id}: items do not add up to the bill"
            )
        if page:
            yield page

    def adjustments(self, month: Month) -> list[Adjustment]:
        return [
            Adjustment.from_record(r)
            for r in BillRecord.query(
                self.partner_id,
                BillRecord.record_key.startswith(f"{ADJ}{month}#"),
                consistent_read=True,
            )
        ]

    # -- generation -------------------------------------------------------------------

    def create(
        self, month: Month, rollup: Rollup, *, data_as_of: datetime, generated_at: datetime
    ) -> tuple[Bill, bool]:
        """Write the bill once. Returns the bill and whether this call wrote it."""
        generation_id = secrets.token_hex(8)
        with BillRecord.batch_write() as batch:
            for seq, draft in enumerate(rollup.items, start=1):
                batch.save(
                    BillRecord(
                        self.partner_id,
                        _item_key(month, generation_id, seq),
                        month=str(month),
                        seq=seq,
                        customer_id=draft.customer_id,
                        customer_name=draft.customer_name,
                        product=draft.product,
                        billing_mode=draft.billing_mode,
                        usage=draft.usage,
                        usage_unit=draft.usage_unit,
                        amount=draft.amount,
                        detail_count=draft.detail_count,
                    )
                )
        record = BillRecord(
            self.partner_id,
            f"{BILL}{month}",
            month=str(month),
            status=BillStatus.GENERATED.value,
            generation_id=generation_id,
            consumption_total=rollup.total,
            adjustment_total=Decimal(0),
            amount_due=rollup.total,
            detail_count=rollup.detail_count,
            item_count=len(rollup.items),
            customer_count=rollup.customer_count,
            data_as_of=to_iso(data_as_of),
            generated_at=to_iso(generated_at),
            version=1,
        )
        try:
            record.save(condition=BillRecord.record_key.does_not_exist())
        except PutError as exc:
            if not _conditional(exc):
                raise
            self._discard(month, generation_id, len(rollup.items))
            existing = self.get(month)
            if existing is None:
                raise
            return existing, False
        return Bill.from_record(record), True

    def _discard(self, month: Month, generation_id: str, count: int) -> None:
        with BillRecord.batch_write() as batch:
            for seq in range(1, count + 1):
                batch.delete(BillRecord(self.partner_id, _item_key(month, generation_id, seq)))

    # -- status and adjustments ---------------------------------------------------------

    def _move(self, month: Month, target: BillStatus, actions: list[Any]) -> Bill:
        sources = [s for s in BillStatus if may_move(s, target)]
        record = BillRecord(self.partner_id, f"{BILL}{month}")
        condition = BillRecord.record_key.exists() & BillRecord.status.is_in(
            *(s.value for s in sources)
        )
        try:
            record.update(
                actions=[BillRecord.status.set(target.value), BillRecord.version.add(1), *actions],
                condition=condition,
            )
        except UpdateError as exc:
            if not _conditional(exc):
                raise
            current = self.get(month)
            raise StatusRefused(current.status if current else None) from exc
        return Bill.from_record(record)

    def confirm(self, month: Month, *, user_id: str, now: datetime) -> Bill:
        return self._move(
            month,
            BillStatus.CONFIRMED,
            [BillRecord.confirmed_at.set(to_iso(now)), BillRecord.confirmed_by.set(user_id)],
        )

    def mark_paid(self, month: Month, *, user_id: str, reference: str, now: datetime) -> Bill:
        return self._move(
            month,
            BillStatus.PAID,
            [
                BillRecord.paid_at.set(to_iso(now)),
                BillRecord.paid_recorded_by.set(user_id),
                BillRecord.payment_reference.set(reference),
            ],
        )

    def adjust(
        self, bill: Bill, *, amount: Decimal, reason: str, user_id: str, now: datetime
    ) -> tuple[Bill, Adjustment]:
        """Add an adjustment to a bill read at `bill.version`; the totals move with it
        in one transaction, conditional on that version and the generated status."""
        if not may_adjust(bill.status):
            raise StatusRefused(bill.status)
        with sums():
            adjustment_total = bill.adjustment_total + amount
            amount_due = bill.consumption_total + adjustment_total
        adjustment_id = new_id()
        entry = BillRecord(
            self.partner_id,
            f"{ADJ}{bill.month}#{adjustment_id}",
            month=str(bill.month),
            adjustment_id=adjustment_id,
            amount=amount,
            reason=reason,
            created_by=user_id,
            created_at=to_iso(now),
        )
        header = BillRecord(self.partner_id, f"{BILL}{bill.month}")
        try:
            with TransactWrite(connection=self._connection()) as transaction:
                transaction.save(entry, condition=BillRecord.record_key.does_not_exist())
                transaction.update(
                    header,
                    actions=[
                        BillRecord.adjustment_total.set(adjustment_total),
                        BillRecord.amount_due.set(amount_due),
                        BillRecord.version.set(bill.version + 1),
                    ],
                    condition=(BillRecord.version == bill.version)
                    & (BillRecord.status == BillStatus.GENERATED.value),
                )
        except TransactWriteError as exc:
            if any(
                r and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or []
            ):
                raise ConcurrentChange(str(bill.month)) from exc
            raise
        updated = self.get(bill.month)
        if updated is None:  # pragma: no cover - the transaction just wrote it
            raise ConcurrentChange(str(bill.month))
        return updated, Adjustment.from_record(entry)

    @staticmethod
    def _connection() -> Connection:
        return transaction_connection(BillRecord)
