"""Transaction details (交易明细) of a marketplace bill: its orders, with their split.

A transaction and its bill's totals are written in one DynamoDB transaction, so the
bill is always the sum of its details. A bill's transactions are one key range in time
order; date filters narrow the range, other filters are applied by DynamoDB.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from partner_center.core.clock import beijing_day_start, to_iso
from partner_center.core.errors import BadInput
from partner_center.marketplace.bills import BILL_PREFIX
from partner_center.marketplace.models import BillItem, TransactionItem
from partner_center.storage.transactions import transaction_connection

TXN_PREFIX = "TXN#"
MAX_RANGE_DAYS = 366
_WRITE_ATTEMPTS = 6


@dataclass(frozen=True)
class Transaction:
    partner_id: str
    order_id: str
    bill_id: str
    placed_at: str
    product_id: str
    product_name: str
    category: str
    price_plan_id: str
    price_plan_name: str
    unit_price: Decimal
    quantity: int
    amount: Decimal
    publisher_share: Decimal
    provider_share: Decimal
    platform_share: Decimal
    attributed: bool
    link_id: str | None
    unattributed_reason: str | None
    buyer_name: str
    buyer_phone: str | None
    buyer_email: str | None

    @property
    def key(self) -> str:
        """The transaction's ID within its partition (also its node ID)."""
        return f"{self.bill_id}#{self.placed_at}#{self.order_id}"

    @classmethod
    def from_item(cls, item: TransactionItem) -> Transaction:
        return cls(
            partner_id=item.partner_id,
            order_id=item.order_id,
            bill_id=item.bill_id,
            placed_at=item.placed_at,
            product_id=item.product_id,
            product_name=item.product_name,
            category=item.category,
            price_plan_id=item.price_plan_id,
            price_plan_name=item.price_plan_name,
            unit_price=item.unit_price,
            quantity=int(item.quantity),
            amount=item.amount,
            publisher_share=item.publisher_share,
            provider_share=item.provider_share,
            platform_share=item.platform_share,
            attributed=bool(item.attributed),
            link_id=item.link_id,
            unattributed_reason=item.unattributed_reason,
            buyer_name=item.buyer_name,
            buyer_phone=item.buyer_phone,
            buyer_email=item.buyer_email,
        )

    def to_item(self) -> TransactionItem:
        values = asdict(self)
        partner_id = values.pop("partner_id")
        return TransactionItem(partner_id, TXN_PREFIX + self.key, **values)


@dataclass(frozen=True)
class TransactionFilter:
    """Dates are Beijing dates, inclusive; amounts compare the order amount."""

    date_from: date | None = None
    date_to: date | None = None
    product_id: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None

    def validate(self) -> TransactionFilter:
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise BadInput("dateFrom is after dateTo", field="dateFrom")
            if (self.date_to - self.date_from).days >= MAX_RANGE_DAYS:
                raise BadInput(f"a date range covers at most {MAX_RANGE_DAYS} days", field="dateTo")
        for name, value in (("minAmount", self.min_amount), ("maxAmount", self.max_amount)):
            if value is not None and not value.is_finite():
                raise BadInput(f"{name} must be a finite decimal", field=name)
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise BadInput("minAmount is above maxAmount", field="minAmount")
        if self.product_id is not None and not 0 < len(self.product_id) <= 100:
            raise BadInput("productId must be 1 to 100 characters", field="productId")
        return self

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TransactionFilter:
        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        def amount(key: str) -> Decimal | None:
            return Decimal(data[key]) if data.get(key) is not None else None

        return cls(
            date_from=day("date_from"),
            date_to=day("date_to"),
            product_id=data.get("product_id"),
            min_amount=amount("min_amount"),
            max_amount=amount("max_amount"),
        )

    def condition(self) -> Condition | None:
        parts: list[Condition] = []
        if self.product_id is not None:
            parts.append(TransactionItem.product_id == self.product_id)
        if self.min_amount is not None:
            parts.append(TransactionItem.amount >= self.min_amount)
        if self.max_amount is not None:
            parts.append(TransactionItem.amount <= self.max_amount)
        combined: Condition | None = None
        for part in parts:
            combined = part if combined is None else combined & part
        return combined

    def key_range(self, bill_id: str) -> tuple[str, str]:
        prefix = f"{TXN_PREFIX}{bill_id}#"
        low = prefix + (to_iso(beijing_day_start(self.date_from)) if self.date_from else "")
        high = prefix + (
            to_iso(beijing_day_start(self.date_to + timedelta(days=1))) if self.date_to else "~"
        )
        return low, high


class TransactionStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def get(self, key: str) -> Transaction | None:
        try:
            item = TransactionItem.get(self.partner_id, TXN_PREFIX + key)
        except TransactionItem.DoesNotExist:
            return None
        return Transaction.from_item(item)

    def _query(
        self,
        bill_id: str,
        flt: TransactionFilter,
        *,
        after_key: str | None,
        limit: int | None,
        page_size: int,
    ) -> Iterator[TransactionItem]:
        low, high = flt.key_range(bill_id)
        start = None
        if after_key:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": TXN_PREFIX + after_key},
            }
        return TransactionItem.query(
            self.partner_id,
            TransactionItem.item_key.between(low, high),
            filter_condition=flt.condition(),
            last_evaluated_key=start,
            limit=limit,
            page_size=page_size,
        )

    def page(
        self, bill_id: str, flt: TransactionFilter, *, after_key: str | None, limit: int
    ) -> tuple[list[Transaction], bool]:
        """In time order; up to `limit` and whether more follow."""
        items = self._query(
            bill_id, flt, after_key=after_key, limit=limit + 1, page_size=max(limit + 1, 25)
        )
        found = [Transaction.from_item(item) for item in items]
        return found[:limit], len(found) > limit

    def page_month(
        self, month: str, *, after_key: str | None, limit: int
    ) -> tuple[list[Transaction], bool]:
        """Every bill's transactions of one month (bill IDs start with the month)."""
        start = None
        if after_key:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": TXN_PREFIX + after_key},
            }
        items = TransactionItem.query(
            self.partner_id,
            TransactionItem.item_key.between(f"{TXN_PREFIX}{month}.", f"{TXN_PREFIX}{month}.~"),
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 25),
        )
        found = [Transaction.from_item(item) for item in items]
        return found[:limit], len(found) > limit

    def pages(
        self, bill_id: str, flt: TransactionFilter, page_size: int = 500
    ) -> Iterator[list[Transaction]]:
        """Every matching transaction, page by page (exports stream these)."""
        page: list[Transaction] = []
        for item in self._query(bill_id, flt, after_key=None, limit=None, page_size=page_size):
            page.append(Transaction.from_item(item))
            if len(page) >= page_size:
                yield page
                page = []
        if page:
            yield page

    def record(self, txn: Transaction, month: str) -> None:
        """Write the transaction and add it to its bill, atomically.

        Concurrent orders on one bill conflict in DynamoDB's transaction; the additions
        commute, so the loser simply retries (with jitter).
        """
        if txn.partner_id != self.partner_id:
            raise ValueError("a transaction is recorded in its own partner's store")
        item = txn.to_item()
        bill = BillItem(self.partner_id, BILL_PREFIX + txn.bill_id)
        category = txn.category
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                with TransactWrite(connection=_connection()) as transaction:
                    transaction.save(item, condition=TransactionItem.item_key.does_not_exist())
                    transaction.update(
                        bill,
                        actions=[
                            BillItem.bill_id.set(txn.bill_id),
                            BillItem.month.set(month),
                            BillItem.category.set(category),
                            BillItem.transaction_count.add(1),
                            BillItem.order_amount.add(txn.amount),
                            BillItem.publisher_share.add(txn.publisher_share),
                            BillItem.provider_share.add(txn.provider_share),
                            BillItem.platform_share.add(txn.platform_share),
                        ],
                    )
                return
            except TransactWriteError as exc:
                reasons = [r.code for r in exc.cancellation_reasons or [] if r is not None]
                if "TransactionConflict" not in reasons or attempt == _WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2**attempt))


def _connection() -> Connection:
    return transaction_connection(TransactionItem)
