"""Customers of one partner: filtered, sorted, keyset-paginated reads.

Every order of the partner's customers is an index order, so a page is one query with a
filter expression, continued from the cursor, whatever the partner's size: the
customer ID is the table's own key, name and creation time have the by_name and
by_created indexes (their keys "<value>\x01<customer ID>", written with the item). The
cursor is the last (value, customer ID) pair. One manager's customers (R2, or the
"assigned to" filter) come from the by_manager index in ID order; in name or creation
order they are read whole and sorted in memory, a manager's book being small.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from pynamodb.expressions.condition import Condition

from partner_center.core.clock import beijing_day_start, from_iso, to_iso
from partner_center.core.errors import BadInput
from partner_center.storage.models import CustomerItem, created_order, name_order

ASSOCIATIONS = ("reseller", "advisory")
MAX_SEARCH = 100
QUERY_PAGE = 500
BAD_CURSOR = "after is not a cursor from this connection"


class CustomerOrder(enum.StrEnum):
    CUSTOMER_ID = "customer_id"
    NAME = "name"
    CREATED_AT = "created_at"


@dataclass(frozen=True)
class CustomerFilter:
    search: str | None = None  # in the name or the account name
    association: str | None = None
    manager_id: str | None = None
    unassigned: bool = False
    created_from: date | None = None  # Beijing dates, inclusive
    created_to: date | None = None

    def validate(self) -> CustomerFilter:
        if self.search is not None and not 0 < len(self.search.strip()) <= MAX_SEARCH:
            raise BadInput(f"search must be 1 to {MAX_SEARCH} characters", field="search")
        if self.association is not None and self.association not in ASSOCIATIONS:
            raise BadInput("association must be reseller or advisory", field="association")
        if self.unassigned and self.manager_id is not None:
            raise BadInput(
                "a customer cannot be unassigned and assigned to a manager", field="unassigned"
            )
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise BadInput("createdFrom is after createdTo", field="createdFrom")
        return self

    def condition(self) -> Condition | None:
        parts: list[Condition] = []
        if self.search:
            text = self.search.strip()
            parts.append(
                CustomerItem.name.contains(text) | CustomerItem.account_name.contains(text)
            )
        if self.association:
            parts.append(CustomerItem.association == self.association)
        if self.unassigned:
            parts.append(CustomerItem.manager_id.does_not_exist())
        if self.created_from:
            parts.append(CustomerItem.created_at >= beijing_day_start(self.created_from))
        if self.created_to:
            parts.append(
                CustomerItem.created_at
                < beijing_day_start(date.fromordinal(self.created_to.toordinal() + 1))
            )
        condition: Condition | None = None
        for part in parts:
            condition = part if condition is None else condition & part
        return condition


def _sort_value(item: CustomerItem, order: CustomerOrder) -> str:
    if order is CustomerOrder.NAME:
        return item.name
    if order is CustomerOrder.CREATED_AT:
        return to_iso(item.created_at)
    return item.customer_id


def cursor_key(item: CustomerItem, order: CustomerOrder) -> str:
    if order is CustomerOrder.CUSTOMER_ID:
        return item.customer_id
    return json.dumps([_sort_value(item, order), item.customer_id], ensure_ascii=False)


def _parse_cursor(key: str, order: CustomerOrder) -> tuple[str, str]:
    if order is CustomerOrder.CUSTOMER_ID:
        return key, key
    try:
        value, customer_id = json.loads(key)
    except (ValueError, TypeError) as exc:
        raise BadInput(BAD_CURSOR, field="after") from exc
    if not isinstance(value, str) or not isinstance(customer_id, str):
        raise BadInput(BAD_CURSOR, field="after")
    return value, customer_id


class CustomerStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def get(self, customer_id: str, *, consistent: bool = False) -> CustomerItem | None:
        try:
            return CustomerItem.get(self.partner_id, customer_id, consistent_read=consistent)
        except CustomerItem.DoesNotExist:
            return None

    def batch_get(self, customer_ids: Iterable[str]) -> dict[str, CustomerItem]:
        """One BatchGetItem per 100 IDs, whatever the number of callers."""
        keys = sorted(set(customer_ids))
        if not keys:
            return {}
        return {
            item.customer_id: item
            for item in CustomerItem.batch_get([(self.partner_id, k) for k in keys])
        }

    def of_manager(self, manager_id: str) -> list[CustomerItem]:
        return list(CustomerItem.by_manager.query(f"{self.partner_id}#{manager_id}"))

    def _query(
        self,
        flt: CustomerFilter,
        manager_id: str | None,
        *,
        forward: bool = True,
        after_id: str | None = None,
        limit: int | None = None,
    ) -> Iterator[CustomerItem]:
        condition = flt.condition()
        if manager_id is not None:
            index_key = f"{self.partner_id}#{manager_id}"
            start = (
                None
                if after_id is None
                else {
                    "partner_manager": {"S": index_key},
                    "customer_id": {"S": after_id},
                    "partner_id": {"S": self.partner_id},
                }
            )
            return CustomerItem.by_manager.query(
                index_key,
                filter_condition=condition,
                scan_index_forward=forward,
                last_evaluated_key=start,
                limit=limit,
                page_size=self._page_size(limit, condition),
            )
        start = (
            None
            if after_id is None
            else {"partner_id": {"S": self.partner_id}, "customer_id": {"S": after_id}}
        )
        return CustomerItem.query(
            self.partner_id,
            filter_condition=condition,
            scan_index_forward=forward,
            last_evaluated_key=start,
            limit=limit,
            page_size=self._page_size(limit, condition),
        )

    def _ordered(
        self,
        flt: CustomerFilter,
        order: CustomerOrder,
        *,
        forward: bool,
        after: tuple[str, str] | None,
        limit: int,
    ) -> Iterator[CustomerItem]:
        """The partner's customers in name or creation order, from the order's index."""
        condition = flt.condition()
        index = CustomerItem.by_name if order is CustomerOrder.NAME else CustomerItem.by_created
        start = None
        if after is not None:
            value, customer_id = after
            if order is CustomerOrder.NAME:
                key = ("name_order", name_order(value, customer_id))
            else:
                try:
                    created = from_iso(value)
                except ValueError as exc:
                    raise BadInput(
                        "after is not a cursor from this connection", field="after"
                    ) from exc
                key = ("created_order", created_order(created, customer_id))
            start = {
                "partner_id": {"S": self.partner_id},
                "customer_id": {"S": customer_id},
                key[0]: {"S": key[1]},
            }
        return index.query(
            self.partner_id,
            filter_condition=condition,
            scan_index_forward=forward,
            last_evaluated_key=start,
            limit=limit,
            page_size=self._page_size(limit, condition),
        )

    @staticmethod
    def _page_size(limit: int | None, condition: Condition | None) -> int:
        # Unfiltered, read exactly what the page needs; filtered, read in larger steps
        # so a selective filter costs few round trips.
        if limit is None:
            return QUERY_PAGE
        return limit if condition is None else max(limit, QUERY_PAGE)

    def page(
        self,
        flt: CustomerFilter,
        *,
        order: CustomerOrder = CustomerOrder.CUSTOMER_ID,
        descending: bool = False,
        after: str | None = None,
        limit: int,
        manager_id: str | None = None,
    ) -> tuple[list[CustomerItem], bool]:
        """Up to `limit` customers after the cursor key, and whether more follow.

        `manager_id` bounds the read to one manager's customers (the by_manager index):
        R2 for a manager's own token, or the "assigned to" filter of anyone else's.
        """
        if order is CustomerOrder.CUSTOMER_ID:
            # pynamodb's `limit` counts items after the filter: the query reads on until
            # it has limit + 1 matches or the partition ends.
            items = list(
                self._query(
                    flt, manager_id, forward=not descending, after_id=after, limit=limit + 1
                )
            )
            return items[:limit], len(items) > limit
        if manager_id is None:
            cursor = None if after is None else _parse_cursor(after, order)
            items = list(
                self._ordered(flt, order, forward=not descending, after=cursor, limit=limit + 1)
            )
            return items[:limit], len(items) > limit
        everything = sorted(
            self._query(flt, manager_id),
            key=lambda i: (_sort_value(i, order), i.customer_id),
            reverse=descending,
        )
        if after is not None:
            mark = _parse_cursor(after, order)
            if descending:
                everything = [
                    i for i in everything if (_sort_value(i, order), i.customer_id) < mark
                ]
            else:
                everything = [
                    i for i in everything if (_sort_value(i, order), i.customer_id) > mark
                ]
        return everything[:limit], len(everything) > limit
