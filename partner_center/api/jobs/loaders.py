"""The jobs area's DataLoaders."""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.jobs import service
from partner_center.jobs.model import Job


def job_loader(info: Info) -> Any:
    """Jobs the caller may see, by ID (None for one it may not: another user's, another
    partner's, or none). The store reads one job at a time: the loader reads them
    concurrently."""
    principal = info.context.principal

    async def load(job_ids: list[str]) -> list[Job | None]:
        return list(await asyncio.gather(*(service.get_job(principal, j) for j in job_ids)))

    return info.context.loaders.get("visible_jobs", load)
