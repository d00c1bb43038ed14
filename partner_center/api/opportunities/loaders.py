"""The opportunities area's DataLoaders."""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.incentives import opportunity_service as service
from partner_center.incentives.opportunities import Opportunity


def opportunity_loader(info: Info) -> Any:
    """Opportunities the caller may see, by ID (None for any other). The store reads one
    item at a time, so the loader reads them all at once."""
    principal = info.context.principal

    async def load(opportunity_ids: list[str]) -> list[Opportunity | None]:
        return list(
            await asyncio.gather(
                *(asyncio.to_thread(service.get_opportunity, principal, i) for i in opportunity_ids)
            )
        )

    return info.context.loaders.get("opportunities", load)
