"""The consumption area's DataLoaders: detail lines and adjustment records by key. Both
are read one at a time, so the keys of one tick are read concurrently."""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.consumption import details
from partner_center.customers import adjustments
from partner_center.customers.models import AdjustmentItem
from partner_center.storage.models import ConsumptionLine


def line_loader(info: Info) -> Any:
    """Line key -> the detail line, if the caller may see it (R2, R5)."""
    principal = info.context.principal

    async def load(keys: list[str]) -> list[ConsumptionLine | None]:
        return await asyncio.gather(
            *(asyncio.to_thread(details.get_line, principal, k) for k in keys)
        )

    return info.context.loaders.get("visible_consumption_lines", load)


def adjustment_loader(info: Info) -> Any:
    """Adjustment key -> the record, if the caller may see its customer (R2)."""
    principal = info.context.principal

    async def load(keys: list[str]) -> list[AdjustmentItem | None]:
        # The caller's customers once for the batch, not once per record.
        visible = await asyncio.to_thread(adjustments.visible_customers, principal)
        store = adjustments.AdjustmentStore(principal.partner_id)
        found = await asyncio.gather(*(asyncio.to_thread(store.get, k) for k in keys))
        return [
            item if item is not None and (visible is None or item.customer_id in visible) else None
            for item in found
        ]

    return info.context.loaders.get("visible_adjustments", load)
