"""The incentives area's DataLoaders: the one place incentives and applications are
read by ID. Each answers None for an ID the caller may not see."""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.incentives import service
from partner_center.incentives.records import Application


def incentive_loader(info: Info) -> Any:
    """Incentives with their validity, by ID (one batched read)."""
    principal = info.context.principal

    async def load(incentive_ids: list[str]) -> list[service.IncentiveView | None]:
        found = await asyncio.to_thread(service.get_incentives, principal, incentive_ids)
        return [found.get(i) for i in incentive_ids]

    return info.context.loaders.get("incentives", load)


def application_loader(info: Info) -> Any:
    """Applications for disbursement by ID. The store reads one at a time, so the loader
    reads them all at once."""
    principal = info.context.principal

    async def load(application_ids: list[str]) -> list[Application | None]:
        return list(
            await asyncio.gather(
                *(asyncio.to_thread(service.get_application, principal, i) for i in application_ids)
            )
        )

    return info.context.loaders.get("incentive_applications", load)
