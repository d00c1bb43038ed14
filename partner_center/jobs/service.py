"""Reading jobs (exports are requested in `exports/requests.py`, lead dispatch jobs in
`leads/service.py`)."""

from __future__ import annotations

import asyncio

from partner_center.core.auth import Principal
from partner_center.core.permissions import sees_all_jobs
from partner_center.jobs.model import Job
from partner_center.jobs.store import JobStore

MAX_IDEMPOTENCY_KEY = 128


async def get_job(principal: Principal, job_id: str) -> Job | None:
    """A job the caller may see, or None (another partner's, another user's, or none)."""
    job = await asyncio.to_thread(JobStore(principal.partner_id).get, job_id)
    if job is None:
        return None
    if not sees_all_jobs(principal) and job.requested_by != principal.user_id:
        return None
    return job


async def list_jobs(
    principal: Principal, *, after_job_id: str | None, limit: int
) -> tuple[list[Job], bool]:
    requested_by = None if sees_all_jobs(principal) else principal.user_id
    return await asyncio.to_thread(
        JobStore(principal.partner_id).page,
        requested_by=requested_by,
        after_job_id=after_job_id,
        limit=limit,
    )
