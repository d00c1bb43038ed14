"""Requesting and reading jobs: the rules, independent of GraphQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from partner_center.config import Settings
from partner_center.core.auth import Menu, Principal
from partner_center.core.errors import BadInput
from partner_center.core.ids import new_id
from partner_center.core.logs import fields, get_logger
from partner_center.core.permissions import (
    managed_customer_scope,
    require_menu,
    sees_all_jobs,
)
from partner_center.jobs.messages import JobMessage
from partner_center.jobs.model import ExportFormat, Job, JobKind, JobStatus
from partner_center.jobs.queue import enqueue
from partner_center.jobs.store import IdempotencyConflict, JobStore

log = get_logger(__name__)

# Which menu each export belongs to (R1): its data is that menu's data.
EXPORT_MENUS: dict[JobKind, Menu] = {
    JobKind.CONSUMPTION_DETAILS: Menu.CUSTOMERS,
    JobKind.ADJUSTMENT_RECORDS: Menu.CUSTOMERS,
    JobKind.MARKETPLACE_BILL_DETAILS: Menu.MARKETPLACE,
    JobKind.PARTNER_BILL: Menu.BILLING,
    JobKind.PARTNER_BILL_DETAILS: Menu.BILLING,
}

# The formats each kind is written in: tables as CSV or XLSX, documents as PDF.
TABLE_FORMATS = frozenset({ExportFormat.CSV, ExportFormat.XLSX})
EXPORT_FORMATS: dict[JobKind, frozenset[ExportFormat]] = {
    JobKind.PARTNER_BILL: frozenset({ExportFormat.PDF})}

MAX_IDEMPOTENCY_KEY = 128


class RequestRefused(Exception):
    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class ExportRequest:
    kind: JobKind
    format: ExportFormat
    filter: dict[str, Any]
    idempotency_key: str | None = None


def _request_hash(kind: JobKind, fmt: ExportFormat, parameters: dict[str, Any]) -> str:
    canonical = json.dumps([kind.value, fmt.value, parameters], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def request_export(principal: Principal, request: ExportRequest,
                         settings: Settings) -> tuple[Job, bool]:
    """Create (or, for a repeated idempotency key, return) an export job and enqueue it."""
    require_menu(principal, EXPORT_MENUS[request.kind])
    formats = EXPORT_FORMATS.get(request.kind, TABLE_FORMATS)
    if request.format not in formats:
        raise BadInput(f"this export is available as {', '.join(sorted(f.name for f in formats))}",
                       field="format")
    key = request.idempotency_key
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        raise BadInput(f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters",
                       field="idempotencyKey")
    parameters = {"filter": request.filter, "manager_scope": managed_customer_scope(principal)}
    store = JobStore(principal.partner_id,
                     retention=timedelta(days=settings.job_retention_days))
    try:
        job, created = await asyncio.to_thread(
            store.create, job_id=new_id(), kind=request.kind, fmt=request.format,
            parameters=parameters, requested_by=principal.user_id,
            idempotency_key=key,
            request_hash=_request_hash(request.kind, request.format, parameters))
    except IdempotencyConflict as exc:
        raise RequestRefused("IDEMPOTENCY_KEY_REUSED",
                             "this idempotency key was used for a different request",
                             "idempotencyKey") from exc
    # A replay of a job still queued re-sends its message: if the first send was lost,
    # the retry repairs it, and a duplicate delivery is harmless by design.
    if created or job.status is JobStatus.QUEUED:
        try:
            await enqueue(settings.queue_url("export"), JobMessage(job.partner_id, job.job_id))
        except Exception as exc:
            log.error("export could not be enqueued", extra=fields(job_id=job.job_id),
                      exc_info=exc)
            await asyncio.to_thread(store.fail, job.job_id, "ENQUEUE_FAILED")
            raise RequestRefused("ENQUEUE_FAILED",
                                 "the export could not be queued; try again") from exc
    log.info("export requested", extra=fields(job_id=job.job_id, kind=request.kind.value,
                                              created=created))
    return job, created


async def get_job(principal: Principal, job_id: str) -> Job | None:
    """A job the caller may see, or None (another partner's, another user's, or none)."""
    job = await asyncio.to_thread(JobStore(principal.partner_id).get, job_id)
    if job is None:
        return None
    if not sees_all_jobs(principal) and job.requested_by != principal.user_id:
        return None
    return job


async def list_jobs(principal: Principal, *, after_job_id: str | None, limit: int
                    ) -> tuple[list[Job], bool]:
    requested_by = None if sees_all_jobs(principal) else principal.user_id
    return await asyncio.to_thread(JobStore(principal.partner_id).page,
                                   requested_by=requested_by, after_job_id=after_job_id,
                                   limit=limit)
