"""The audit log's filter, and its reading into the log's own."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from partner_center.api.audit.enums import AuditOutcome
from partner_center.api.core.ids import node_id_of
from partner_center.audit import log as audit_log


@strawberry.input
class AuditEventFilter:
    actor: relay.GlobalID | None = None
    operation: str | None = None
    outcome: AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_filter(given: AuditEventFilter | None) -> audit_log.AuditFilter:
    given = given or AuditEventFilter()
    return audit_log.AuditFilter(
        actor_id=node_id_of(given.actor, "User", "actor") if given.actor else None,
        operation=given.operation,
        outcome=given.outcome,
        since=given.since,
        until=given.until,
    )
