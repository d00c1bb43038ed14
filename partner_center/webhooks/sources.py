"""The events each area emits, and what their payloads carry: IDs, statuses, counts and
timestamps only. Never a name, a contact, an amount or a download URL: the receiver
fetches the object with its own token (GraphQL IDs are given as `id`)."""

from __future__ import annotations

import asyncio
import base64
from typing import TYPE_CHECKING

from partner_center.core.logs import fields, get_logger
from partner_center.jobs.model import TERMINAL, Job, JobKind, JobStatus
from partner_center.jobs.store import JobStore
from partner_center.webhooks.publish import emit, event_id
from partner_center.webhooks.topics import Topic

if TYPE_CHECKING:
    from partner_center.bills.bill import Bill
    from partner_center.incentives.records import Application

log = get_logger(__name__)

DISPATCH_KINDS = frozenset({JobKind.LEAD_DISPATCH, JobKind.LEAD_RECALL})


def global_id(type_name: str, node_id: str) -> str:
    """The object's GraphQL ID (Relay's base64 of "Type:id")."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


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


def bill_generated(bill: Bill) -> bool:
    data = {
        "bill": {
            "month": str(bill.month),
            "status": bill.status.name,
            "itemCount": bill.item_count,
            "customerCount": bill.customer_count,
            "dataAsOf": bill.data_as_of,
            "generatedAt": bill.generated_at,
        }
    }
    return emit(
        bill.partner_id,
        Topic.PARTNER_BILL_GENERATED,
        event_id("bill", str(bill.month), bill.generation_id),
        data,
        bill.generated_at,
    )


def application_changed(application: Application) -> bool:
    at = application.approved_at or application.applied_at
    data = {
        "application": {
            "id": global_id("IncentiveApplication", application.application_id),
            "applicationId": application.application_id,
            "status": application.status.name,
            "incentiveCount": len(application.incentive_ids),
            "changedAt": at,
        }
    }
    return emit(
        application.partner_id,
        Topic.INCENTIVE_APPLICATION_STATUS_CHANGED,
        event_id("application", application.application_id, application.status.value),
        data,
        at,
    )


def application_changed_safely(application: Application) -> None:
    """From a mutation that already changed the application: a failure to publish is
    logged, not raised, since the change itself stands (the event is not re-sent)."""
    try:
        application_changed(application)
    except Exception as exc:
        log.error(
            "incentive application event not published",
            exc_info=exc,
            extra=fields(application_id=application.application_id),
        )
