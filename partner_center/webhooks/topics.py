"""What a partner can subscribe to, and how each topic is named on EventBridge."""

from __future__ import annotations

import enum


class Topic(enum.StrEnum):
    EXPORT_JOB_SUCCEEDED = "export_job.succeeded"
    EXPORT_JOB_FAILED = "export_job.failed"
    # Succeeded or failed: the payload carries the job's status and per-lead counts.
    DISPATCH_JOB_COMPLETED = "dispatch_job.completed"
    PARTNER_BILL_GENERATED = "partner_bill.generated"
    INCENTIVE_APPLICATION_STATUS_CHANGED = "incentive_application.status_changed"
    # Only ever sent by `sendWebhookTestEvent`, to one subscription; never subscribed to.
    TEST = "webhook.test"


SUBSCRIBABLE = tuple(t for t in Topic if t is not Topic.TEST)

# EventBridge's detail-type per topic (source "partner-center").
DETAIL_TYPES: dict[Topic, str] = {
    Topic.EXPORT_JOB_SUCCEEDED: "Export Job Succeeded",
    Topic.EXPORT_JOB_FAILED: "Export Job Failed",
    Topic.DISPATCH_JOB_COMPLETED: "Dispatch Job Completed",
    Topic.PARTNER_BILL_GENERATED: "Partner Bill Generated",
    Topic.INCENTIVE_APPLICATION_STATUS_CHANGED: "Incentive Application Status Changed",
}
EVENT_SOURCE = "partner-center"
