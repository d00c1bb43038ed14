"""A finished job's event (export succeeded or failed, dispatch completed).

Like every event (bills/events.py, incentives/events.py), its payload carries IDs,
statuses, counts and timestamps only. Never a name, a contact, an amount or a download
URL: the receiver fetches the object with its own token (GraphQL IDs are given as `id`).
Jobs are shared by the areas that run them, so their events are built here, where the
exports and lead runners and the dead-letter handler all reach them."""

from __future__ import annotations

import asyncio

from partner_center.core.ids import global_id
from partner_center.jobs.model import TERMINAL, Job, JobKind, JobStatus
from partner_center.jobs.store import JobStore
from partner_center.webhooks.publish import emit, event_id
from partner_center.webhooks.topics import Topic

DISPATCH_KINDS = frozenset({JobKind.LEAD_DISPATCH, JobKind.LEAD_RECALL})


def job_event(job: Job) -> tuple[Topic, dict[str, object]] | None:
    if job.status not in TERMINAL:
        return None
    data: dict[str, object] = {
        "job": {
            "id": global_id("Job", job.job_id),
            "jobId": job.job_id,
            "kind": job.kind.name,
            "status": job.status.name,
            "createdAt": job.created_at,
            "finishedAt": job.finished_at,
        }
    }
    body = data["job"]
    assert isinstance(body, dict)
    if job.kind in DISPATCH_KINDS:
        body.update(
            succeededCount=job.succeeded_count or 0,
            failedCount=job.failed_count or 0,
            leadCount=(job.succeeded_count or 0) + (job.failed_count or 0),
        )
        if job.status is JobStatus.FAILED:
            body["errorCode"] = job.error_code
        return Topic.DISPATCH_JOB_COMPLETED, data
    if job.status is JobStatus.SUCCEEDED:
        body.update(format=job.format.name, rowCount=job.row_count, byteSize=job.byte_size)
        return Topic.EXPORT_JOB_SUCCEEDED, data
    body["errorCode"] = job.error_code
    return Topic.EXPORT_JOB_FAILED, data


def job_finished_sync(partner_id: str, job_id: str) -> bool:
    """Emit the finished job's event (once); nothing for a job still running or gone."""
    job = JobStore(partner_id).get(job_id)
    found = job_event(job) if job is not None else None
    if job is None or found is None:
        return False
    topic, data = found
    return emit(partner_id, topic, event_id("job", job_id, job.status.value), data, job.finished_at)


async def job_finished(partner_id: str, job_id: str) -> bool:
    return await asyncio.to_thread(job_finished_sync, partner_id, job_id)
