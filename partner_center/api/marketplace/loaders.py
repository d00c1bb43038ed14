"""The marketplace's DataLoaders: the one place its nodes are read by ID.

The marketplace's stores read one item at a time, so each loader reads all the IDs of a
tick at once. Every loader answers None for an ID the caller may not see, never an
error that would reveal it exists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from partner_center.api.context import Info
from partner_center.api.core.ids import split
from partner_center.api.marketplace.inputs import parse_request_key
from partner_center.core.errors import Forbidden
from partner_center.marketplace import bills, catalog, eligibility, invoices, links
from partner_center.marketplace.eligibility import Standing
from partner_center.marketplace.transactions import Transaction, TransactionStore

T = TypeVar("T")


async def _read_all(read: Callable[[str], T], keys: list[str]) -> list[T]:
    return list(await asyncio.gather(*(asyncio.to_thread(read, k) for k in keys)))


async def load_standing(partner_id: str) -> Standing:
    """What the partner's share eligibility (R8) depends on, read once per list."""
    return await asyncio.to_thread(eligibility.standing, partner_id)


def product_loader(info: Info) -> Any:
    """Catalog products by ID."""

    async def load(product_ids: list[str]) -> list[catalog.Product | None]:
        return await _read_all(catalog.get_product, product_ids)

    return info.context.loaders.get("marketplace_products", load)


def share_link_loader(info: Info) -> Any:
    """The caller's partner's share links by ID."""
    principal = info.context.principal

    def read(link_id: str) -> links.ShareLink | None:
        try:
            return links.get_share_link(principal, link_id)
        except Forbidden:
            return None

    async def load(link_ids: list[str]) -> list[links.ShareLink | None]:
        return await _read_all(read, link_ids)

    return info.context.loaders.get("marketplace_share_links", load)


def transaction_loader(info: Info) -> Any:
    """The caller's partner's transactions by key (`<bill ID>#...`)."""
    store = TransactionStore(info.context.principal.partner_id)

    async def load(keys: list[str]) -> list[Transaction | None]:
        return await _read_all(store.get, keys)

    return info.context.loaders.get("marketplace_transactions", load)


def invoice_request_loader(info: Info) -> Any:
    """Invoice requests by node ID (`<partner ID>:<bill ID>#<request ID>`), as far as the
    caller may read them (its own partner's, or every partner's for the provider's
    operations)."""
    principal = info.context.principal

    def read(node_id: str) -> invoices.InvoiceRequest | None:
        parsed = parse_request_key(node_id)
        return invoices.get_request(principal, *parsed) if parsed is not None else None

    async def load(node_ids: list[str]) -> list[invoices.InvoiceRequest | None]:
        return await _read_all(read, node_ids)

    return info.context.loaders.get("marketplace_invoice_requests", load)


def bill_loader(info: Info) -> Any:
    """The caller's partner's marketplace bills by node ID (`<partner ID>:<bill ID>`);
    another partner's is None, as one that does not exist."""
    principal = info.context.principal

    def read(node_id: str) -> bills.Bill | None:
        found = split(node_id)
        if found is None or found[0] != principal.partner_id:
            return None
        try:
            return bills.get_bill(principal, found[1])
        except Forbidden:
            return None

    async def load(node_ids: list[str]) -> list[bills.Bill | None]:
        return await _read_all(read, node_ids)

    return info.context.loaders.get("marketplace_bills", load)
