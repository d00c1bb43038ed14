"""The customers list in name and creation order reads one index page, not the partition.

Each order is an index order (`by_name`, `by_created`), so a page asks DynamoDB for the
page (plus one, to know whether more follow) whatever the partner's size, and the pages
of a walk in either direction are the partner's customers in exactly the order that
sorting them all would give.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from partner_center.core.clock import to_iso
from partner_center.customers.store import CustomerFilter, CustomerOrder, CustomerStore, cursor_key
from partner_center.storage.models import CustomerItem
from partner_center.storage.registry import registered
from tests import customer_data as td


@pytest.fixture(scope="module")
def store(demo: Any) -> CustomerStore:
    td.seed()
    return CustomerStore(td.PARTNER)


class Queries:
    """The parameters of every DynamoDB Query sent while it is entered."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._clients = {
            id(c): c for c in (m._get_connection().connection.client for m in registered())
        }

    def _hook(self, params: dict[str, Any], **_: Any) -> None:
        self.sent.append(params)

    def __enter__(self) -> Queries:
        for client in self._clients.values():
            client.meta.events.register("before-parameter-build.dynamodb.Query", self._hook)
        return self

    def __exit__(self, *exc: Any) -> None:
        for client in self._clients.values():
            client.meta.events.unregister("before-parameter-build.dynamodb.Query", self._hook)


def _sort_key(order: CustomerOrder, item: CustomerItem) -> tuple[str, str]:
    value = item.name if order is CustomerOrder.NAME else to_iso(item.created_at)
    return value, item.customer_id


def _walk(store: CustomerStore, order: CustomerOrder, descending: bool) -> Iterator[str]:
    after = None
    while True:
        items, more = store.page(
            CustomerFilter(), order=order, descending=descending, after=after, limit=3
        )
        yield from (i.customer_id for i in items)
        if not more:
            return
        after = cursor_key(items[-1], order)


@pytest.mark.parametrize("order", [CustomerOrder.NAME, CustomerOrder.CREATED_AT])
def test_a_page_in_name_or_creation_order_is_one_index_query_of_the_page(
    store: CustomerStore, order: CustomerOrder
) -> None:
    with Queries() as queries:
        items, more = store.page(CustomerFilter(), order=order, limit=3)
    assert len(items) == 3 and more
    assert len(queries.sent) == 1, queries.sent
    sent = queries.sent[0]
    assert sent["IndexName"] == ("by_name" if order is CustomerOrder.NAME else "by_created")
    assert sent["Limit"] == 4  # the page and one more, not the partition


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("order", [CustomerOrder.NAME, CustomerOrder.CREATED_AT])
def test_pages_walk_the_partners_customers_in_sorted_order(
    store: CustomerStore, order: CustomerOrder, descending: bool
) -> None:
    everything = sorted(
        CustomerItem.query(td.PARTNER), key=lambda i: _sort_key(order, i), reverse=descending
    )
    assert list(_walk(store, order, descending)) == [i.customer_id for i in everything]


def test_a_rename_moves_the_customer_in_name_order(store: CustomerStore) -> None:
    """The index key is derived from the name whenever the item is written."""
    item = CustomerItem.get(td.PARTNER, "cus-t-01")
    original = item.name
    try:
        item.name = "  first of all"
        item.save()
        first, _ = store.page(CustomerFilter(), order=CustomerOrder.NAME, limit=1)
        assert [i.customer_id for i in first] == ["cus-t-01"]
    finally:
        item.name = original
        item.save()
