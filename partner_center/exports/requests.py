"""Requesting an export: the rules every kind shares, with each kind's own from the
registry (its menu, R1; its formats)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from partner_center.config import Settings
from partner_center.core.auth import Principal
from partner_center.core.errors import BadInput, Refused
from partner_center.core.ids import new_id
from partner_center.core.logs import fields, get_logger
from partner_center.core.permissions import managed_customer_scope, require_menu
from partner_center.exports import kinds
from partner_center.jobs.codes import JobCode
from partner_center.jobs.messages import JobMessage
from partner_center.jobs.model import ExportFormat, ExportKind, Job, JobStatus
from partner_center.jobs.queue import enqueue
from partner_center.jobs.service import MAX_IDEMPOTENCY_KEY
from partner_center.jobs.store import IdempotencyConflict, JobStore

log = get_logger(__name__)


@dataclass(frozen=True)
class ExportRequest:
    kind: ExportKind
    format: ExportFormat
    filter: dict[str, Any]
    idempotency_key: str | None = None


def _request_hash(kind: ExportKind, fmt: ExportFormat, parameters: dict[str, Any]) -> str:
    canonical = json.dumps([kind.value, fmt.value, parameters], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def request_export(
    principal: Principal, request: ExportRequest, settings: Settings
) -> tuple[Job, bool]:
    """Create (or, for a repeated idempotency key, return) an export job and enqueue it."""
    spec = kinds.spec(request.kind)
    require_menu(principal, spec.menu)
    formats = spec.formats
    if request.format not in formats:
        raise BadInput(
            f"this export is available as {', '.join(sorted(f.name for f in formats))}",
            field="format",
        )
    key = request.idempotency_key
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
        raise BadInput(
            f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters", field="idempotencyKey"
        )
    parameters = {"filter": request.filter, "manager_scope": managed_customer_scope(principal)}
    store = JobStore(principal.partner_id, retention=timedelta(days=settings.job_retention_days))
    try:
        job, created = await asyncio.to_thread(
            store.create,
            job_id=new_id(),
            kind=request.kind.job_kind,
            fmt=request.format,
            parameters=parameters,
            requested_by=principal.user_id,
            idempotency_key=key,
            request_hash=_request_hash(request.kind, request.format, parameters),
        )
    except IdempotencyConflict as exc:
        raise Refused(
            JobCode.IDEMPOTENCY_KEY_REUSED,
            "this idempotency key was used for a different request",
            "idempotencyKey",
        ) from exc
    # A replay of a job still queued re-sends its message: if the first send was lost,
    # the retry repairs it, and a duplicate delivery is harmless by design.
    if created or job.status is JobStatus.QUEUED:
        try:
            await enqueue(settings.queue_url("export"), JobMessage(job.partner_id, job.job_id))
        except Exception as exc:
            log.error("export could not be enqueued", extra=fields(job_id=job.job_id), exc_info=exc)
            await asyncio.to_thread(store.fail, job.job_id, JobCode.ENQUEUE_FAILED)
            raise Refused(
                JobCode.ENQUEUE_FAILED, "the export could not be queued; try again"
            ) from exc
    log.info(
        "export requested",
        extra=fields(job_id=job.job_id, kind=request.kind.value, created=created),
    )
    return job, created
