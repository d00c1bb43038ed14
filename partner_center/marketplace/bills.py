"""Marketplace bills: one per partner, Beijing month and product category.

A bill accrues as its orders arrive (each order adds to its totals in the same
transaction that records it), so its totals always agree with its transactions. It
closes, like the partner bill (R11), at 12:00 Beijing time on the 5th of the next month;
only a closed bill can be invoiced.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import BEIJING, beijing_date, beijing_day_start
from partner_center.core.errors import BadInput
from partner_center.core.permissions import require_menu
from partner_center.marketplace.catalog import ProductCategory
from partner_center.marketplace.models import BillItem

BILL_PREFIX = "BILL#"
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
CLOSING_DAY, CLOSING_HOUR = 5, 12


class BillStatus(enum.StrEnum):
    OPEN = "open"  # the month (or its closing period) is still running
    CLOSED = "closed"


def parse_month(text: str, field: str) -> str:
    if not _MONTH.fullmatch(text or ""):
        raise BadInput(f"{field} must be a month, YYYY-MM", field=field)
    return text


def month_of(instant: datetime) -> str:
    return beijing_date(instant).strftime("%Y-%m")


def bill_id(month: str, category: ProductCategory) -> str:
    return f"{month}.{category.value}"


def split_bill_id(value: str) -> tuple[str, ProductCategory] | None:
    month, _, category = value.partition(".")
    if not _MONTH.fullmatch(month):
        return None
    try:
        return month, ProductCategory(category)
    except ValueError:
        return None


def _first_days(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year + number // 12, number % 12 + 1, 1)


def month_range(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a Beijing month, as aware instants."""
    first, following = _first_days(month)
    return beijing_day_start(first), beijing_day_start(following)


def closes_at(month: str) -> datetime:
    """12:00 Beijing time on the 5th of the month after `month`."""
    following = _first_days(month)[1]
    return datetime(following.year, following.month, CLOSING_DAY, CLOSING_HOUR, tzinfo=BEIJING)


@dataclass(frozen=True)
class Bill:
    partner_id: str
    bill_id: str
    month: str
    category: ProductCategory
    transaction_count: int
    order_amount: Decimal
    publisher_share: Decimal
    provider_share: Decimal
    platform_share: Decimal
    open_invoice_request: str | None
    invoiced_request: str | None

    def status(self, now: datetime) -> BillStatus:
        return BillStatus.CLOSED if now >= closes_at(self.month) else BillStatus.OPEN

    @classmethod
    def from_item(cls, item: BillItem) -> Bill:
        return cls(
            partner_id=item.partner_id,
            bill_id=item.bill_id,
            month=item.month,
            category=ProductCategory(item.category),
            transaction_count=int(item.transaction_count or 0),
            order_amount=item.order_amount,
            publisher_share=item.publisher_share,
            provider_share=item.provider_share,
            platform_share=item.platform_share,
            open_invoice_request=item.open_invoice_request,
            invoiced_request=item.invoiced_request,
        )


@dataclass(frozen=True)
class BillFilter:
    month_from: str | None = None
    month_to: str | None = None
    category: ProductCategory | None = None

    def validate(self) -> BillFilter:
        if self.month_from is not None:
            parse_month(self.month_from, "monthFrom")
        if self.month_to is not None:
            parse_month(self.month_to, "monthTo")
        if self.month_from and self.month_to and self.month_from > self.month_to:
            raise BadInput("monthFrom is after monthTo", field="monthFrom")
        return self


class BillStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def get(self, bill_id: str, consistent: bool = False) -> Bill | None:
        try:
            item = BillItem.get(self.partner_id, BILL_PREFIX + bill_id, consistent_read=consistent)
        except BillItem.DoesNotExist:
            return None
        return Bill.from_item(item)

    def page(
        self, flt: BillFilter, *, after_bill_id: str | None, limit: int
    ) -> tuple[list[Bill], bool]:
        """Newest month first; within a month, by category."""
        low = BILL_PREFIX + (flt.month_from or "")
        high = BILL_PREFIX + (flt.month_to or "9999-99") + "~"
        condition = BillItem.category == flt.category.value if flt.category else None
        start = None
        if after_bill_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "item_key": {"S": BILL_PREFIX + after_bill_id},
            }
        items: Iterator[BillItem] = BillItem.query(
            self.partner_id,
            BillItem.item_key.between(low, high),
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit + 1,
            page_size=max(limit + 1, 25),
        )
        bills = [Bill.from_item(item) for item in items]
        return bills[:limit], len(bills) > limit


def get_bill(principal: Principal, bill_id: str) -> Bill | None:
    """The caller's partner's bill, or None (another partner's bill is not in reach)."""
    require_menu(principal, Menu.MARKETPLACE)
    if split_bill_id(bill_id) is None:
        return None
    return BillStore(principal.partner_id).get(bill_id)


def list_bills(
    principal: Principal, flt: BillFilter, *, after_bill_id: str | None, limit: int
) -> tuple[list[Bill], bool]:
    require_menu(principal, Menu.MARKETPLACE)
    return BillStore(principal.partner_id).page(
        flt.validate(), after_bill_id=after_bill_id, limit=limit
    )
