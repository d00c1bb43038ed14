"""Adjustment records (调账记录): credits and debits a partner applied to customers' bills.

Filters are validated once at the API and carried as JSON in an export job, like the
consumption details'. Records are keyed by time, so a Beijing date range is a key range.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.expressions.condition import Condition

from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import beijing_date, beijing_day_range, to_iso
from partner_center.core.errors import BadInput
from partner_center.core.ids import new_id
from partner_center.core.money import CURRENCY
from partner_center.core.permissions import managed_customer_scope, require_menu
from partner_center.customers.models import AdjustmentItem
from partner_center.customers.store import CustomerStore

MAX_RANGE_DAYS = 366
PAGE_SIZE = 1000


class AdjustmentType(enum.StrEnum):
    CREDIT = "credit"  # lowers what the customer owes
    DEBIT = "debit"  # raises it


REASONS = ("price_correction", "service_credit", "refund", "late_fee", "usage_correction")


@dataclass(frozen=True)
class AdjustmentFilter:
    customer_id: str | None = None
    adjustment_type: str | None = None
    date_from: date | None = None  # Beijing dates of applied_at, inclusive
    date_to: date | None = None
    operator_id: str | None = None

    def validate(self) -> AdjustmentFilter:
        if self.adjustment_type is not None and self.adjustment_type not in {
            t.value for t in AdjustmentType
        }:
            raise BadInput("type must be credit or debit", field="type")
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise BadInput("dateFrom is after dateTo", field="dateFrom")
            if (self.date_to - self.date_from).days >= MAX_RANGE_DAYS:
                raise BadInput(f"a date range covers at most {MAX_RANGE_DAYS} days", field="dateTo")
        return self

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AdjustmentFilter:
        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            customer_id=data.get("customer_id"),
            adjustment_type=data.get("adjustment_type"),
            date_from=day("date_from"),
            date_to=day("date_to"),
            operator_id=data.get("operator_id"),
        )


class AdjustmentStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    @staticmethod
    def _key_range(flt: AdjustmentFilter) -> Condition | None:
        if flt.date_from is None and flt.date_to is None:
            return None
        start, end = beijing_day_range(
            flt.date_from or date(2000, 1, 1), flt.date_to or date(2999, 12, 30)
        )
        return AdjustmentItem.adjustment_key.between(
            to_iso(start), to_iso(end - timedelta(microseconds=1)) + "~"
        )

    @staticmethod
    def _filter(flt: AdjustmentFilter, customers: set[str] | None) -> Condition | None:
        parts: list[Condition] = []
        if flt.customer_id:
            parts.append(AdjustmentItem.customer_id == flt.customer_id)
        if flt.adjustment_type:
            parts.append(AdjustmentItem.adjustment_type == flt.adjustment_type)
        if flt.operator_id:
            parts.append(AdjustmentItem.operator_id == flt.operator_id)
        if customers is not None and 0 < len(customers) <= 100:
            # DynamoDB's IN takes up to 100 values: it saves the transfer; the caller's
            # own check below stays the rule.
            parts.append(AdjustmentItem.customer_id.is_in(*sorted(customers)))
        condition: Condition | None = None
        for part in parts:
            condition = part if condition is None else condition & part
        return condition

    def get(self, adjustment_key: str) -> AdjustmentItem | None:
        try:
            return AdjustmentItem.get(self.partner_id, adjustment_key)
        except AdjustmentItem.DoesNotExist:
            return None

    def query(
        self,
        flt: AdjustmentFilter,
        *,
        customers: set[str] | None = None,
        newest_first: bool = False,
        after: str | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[AdjustmentItem]:
        """Matching records in time order; `customers` keeps only those (R2)."""
        if customers is not None and not customers:
            return
        start = (
            None
            if after is None
            else {"partner_id": {"S": self.partner_id}, "adjustment_key": {"S": after}}
        )
        for item in AdjustmentItem.query(
            self.partner_id,
            self._key_range(flt),
            filter_condition=self._filter(flt, customers),
            scan_index_forward=not newest_first,
            last_evaluated_key=start,
            page_size=page_size,
        ):
            if customers is None or item.customer_id in customers:
                yield item

    def page(
        self,
        flt: AdjustmentFilter,
        *,
        after: str | None,
        limit: int,
        customers: set[str] | None = None,
    ) -> tuple[list[AdjustmentItem], bool]:
        """Newest first; stops reading once limit + 1 records qualify."""
        kept: list[AdjustmentItem] = []
        for item in self.query(
            flt, customers=customers, newest_first=True, after=after, page_size=max(limit + 1, 100)
        ):
            kept.append(item)
            if len(kept) > limit:
                break
        return kept[:limit], len(kept) > limit

    def pages(
        self, flt: AdjustmentFilter, customers: set[str] | None = None, page_size: int = PAGE_SIZE
    ) -> Iterator[list[AdjustmentItem]]:
        """Oldest first, one list per `page_size` records (exports)."""
        page: list[AdjustmentItem] = []
        for item in self.query(flt, customers=customers, page_size=page_size):
            page.append(item)
            if len(page) >= page_size:
                yield page
                page = []
        if page:
            yield page

    def record(
        self,
        *,
        customer_id: str,
        customer_name: str,
        adjustment_type: AdjustmentType,
        amount: Decimal,
        bill_month: str,
        reason: str,
        operator_id: str,
        operator_name: str,
        applied_at: datetime,
    ) -> AdjustmentItem:
        """Write one record (the billing side applies adjustments; this keeps them)."""
        if not isinstance(amount, Decimal) or amount <= 0:
            raise BadInput("an adjustment amount is a positive Decimal", field="amount")
        if reason not in REASONS:
            raise BadInput("unknown adjustment reason", field="reason")
        adjustment_id = new_id()
        item = AdjustmentItem(
            self.partner_id,
            f"{to_iso(applied_at)}#{adjustment_id}",
            adjustment_id=adjustment_id,
            customer_id=customer_id,
            customer_name=customer_name,
            adjustment_type=adjustment_type.value,
            amount=amount,
            currency=CURRENCY,
            bill_month=bill_month,
            reason=reason,
            operator_id=operator_id,
            operator_name=operator_name,
            applied_at=to_iso(applied_at),
            bill_date=beijing_date(applied_at).isoformat(),
        )
        item.save(condition=AdjustmentItem.adjustment_key.does_not_exist())
        return item


def visible_customers(principal: Principal) -> set[str] | None:
    """R2: a manager reads the records of its own customers only (None: all)."""
    require_menu(principal, Menu.CUSTOMERS)
    manager = managed_customer_scope(principal)
    if manager is None:
        return None
    return {c.customer_id for c in CustomerStore(principal.partner_id).of_manager(manager)}


def scoped_customers(partner_id: str, manager_id: str | None) -> set[str] | None:
    """The same scope for a job (which carries the requester's manager ID, if any)."""
    if manager_id is None:
        return None
    return {c.customer_id for c in CustomerStore(partner_id).of_manager(manager_id)}
