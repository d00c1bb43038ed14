"""One attempt at a queued job: claim it, do its work under the lease, hand it back on
failure.

At-least-once delivery in, exactly-once work out: a duplicate delivery finds the job
claimed or done and does nothing; a failed attempt releases the job with its error code
and raises, so the message's redelivery (or, after the last receive, the dead-letter
handler) takes it from there. The export and dispatch workers both run their jobs
through `attempt`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from partner_center.core.faults import InjectedFault
from partner_center.core.logs import fields, get_logger
from partner_center.jobs.codes import JobCode
from partner_center.jobs.store import Claim, JobStore

log = get_logger(__name__)


class JobMissing(Exception):
    """The message names a job that does not exist (or has expired)."""


class LeaseLost(Exception):
    """Another worker reclaimed the job: this attempt must stop writing."""


async def attempt(
    store: JobStore,
    job_id: str,
    lease: timedelta,
    *,
    noun: str,
    work: Callable[[Claim], Awaitable[None]],
    error_code: Callable[[BaseException], str],
) -> str:
    """Returns what happened ("completed", "duplicate: <status>"); raises to retry."""
    claim = await asyncio.to_thread(store.claim, job_id, lease)
    if claim is None:
        raise JobMissing(job_id)
    if not isinstance(claim, Claim):
        log.info(f"{noun} already taken", extra=fields(job_id=job_id, status=claim.status))
        return f"duplicate: {claim.status}"
    log.info(
        f"{noun} claimed",
        extra=fields(job_id=job_id, partner_id=store.partner_id, attempt=claim.job.attempts),
    )
    try:
        await work(claim)
    except Exception as exc:
        code = error_code(exc)
        log.warning(
            f"{noun} attempt failed", extra=fields(job_id=job_id, error_code=code), exc_info=exc
        )
        await asyncio.to_thread(store.release, job_id, claim.token, code)
        raise
    return "completed"


def failure_code(exc: BaseException, otherwise: JobCode) -> JobCode:
    """Why an attempt failed, as the job records it: the causes every job shares (an
    injected fault, a lost lease, the storage refusing), else the job's own `otherwise`."""
    match exc:
        case InjectedFault():
            return JobCode.INJECTED_FAULT
        case LeaseLost():
            return JobCode.LEASE_LOST
        case ClientError() | BotoCoreError() | PynamoDBException():
            return JobCode.STORAGE_ERROR
        case _:
            return otherwise
