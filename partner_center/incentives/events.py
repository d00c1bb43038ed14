"""An incentive application's event: its status changed (applied, approved, ...).

IDs, statuses, counts and timestamps only: never an amount or a name.
"""

from __future__ import annotations

from partner_center.core.ids import global_id
from partner_center.core.logs import fields, get_logger
from partner_center.incentives.records import Application
from partner_center.webhooks.publish import emit, event_id
from partner_center.webhooks.topics import Topic

log = get_logger(__name__)


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
