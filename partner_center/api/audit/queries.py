"""The audit log's root query: `auditEvents`."""

from __future__ import annotations

import asyncio

import strawberry

from partner_center.api import access
from partner_center.api.audit.inputs import AuditEventFilter, audit_filter
from partner_center.api.audit.types import AuditEvent, AuditEventConnection
from partner_center.api.context import Info
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.audit import log as audit_log


async def audit_events(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: AuditEventFilter | None = None,
) -> AuditEventConnection:
    page = page_request(first, after, "audit")
    flt = audit_filter(filter)
    found, has_next = await asyncio.to_thread(
        audit_log.page,
        info.context.principal.partner_id,
        flt,
        after_key=page.after,
        limit=page.size,
    )
    nodes = [AuditEvent.of(e) for e in found]
    return build_connection(
        AuditEventConnection, nodes, has_next, "audit", lambda n: n.event_key, after
    )


@strawberry.type
class Query:
    audit_events: AuditEventConnection = access.query(
        "Query.auditEvents",
        audit_events,
        "Audit events of the partner, newest first; kept at least 180 days.",
    )
