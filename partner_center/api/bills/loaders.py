"""The bills area's DataLoaders: the bills and bill items `node` resolves.

The domain reads one bill (and one bill item) at a time: each loader reads its keys
concurrently. A bill the caller may not see loads as None, so `node` answers null
rather than confirm that it exists.
"""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.bills import service
from partner_center.bills.bill import Bill, BillItem
from partner_center.core.auth import Principal
from partner_center.core.errors import Forbidden

BillKey = tuple[str, str]  # (partner ID, bill ID)
ItemKey = tuple[str, str, int]  # (partner ID, bill ID, item seq)


async def _visible_bill(principal: Principal, partner_id: str, bill_id: str) -> Bill | None:
    try:
        return await service.get_bill(principal, partner_id, bill_id)
    except Forbidden:
        return None


def bill_loader(info: Info) -> Any:
    """Bills the caller may see, by (partner ID, bill ID)."""
    principal = info.context.principal

    async def load(keys: list[BillKey]) -> list[Bill | None]:
        return list(await asyncio.gather(*(_visible_bill(principal, p, b) for p, b in keys)))

    return info.context.loaders.get("visible_partner_bills", load)


def bill_item_loader(info: Info) -> Any:
    """Items of bills the caller may see, with their bill, by (partner ID, bill ID, seq)."""
    principal = info.context.principal

    async def item(bill: Bill | None, seq: int) -> tuple[Bill, BillItem] | None:
        if bill is None:
            return None
        items, _ = await service.bill_items(principal, bill, after_seq=seq - 1, limit=1)
        return (bill, items[0]) if items and items[0].seq == seq else None

    async def load(keys: list[ItemKey]) -> list[tuple[Bill, BillItem] | None]:
        bills = await bill_loader(info).load_many([(p, b) for p, b, _ in keys])
        reads = (item(bill, seq) for bill, (_, _, seq) in zip(bills, keys, strict=True))
        return list(await asyncio.gather(*reads))

    return info.context.loaders.get("visible_partner_bill_items", load)
