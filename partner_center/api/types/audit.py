"""The audit log: `auditEvents`, for partner administrators."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.pagination import build_connection, page_request
from partner_center.api.types.ids import node_id_of
from partner_center.audit import log as audit_log
from partner_center.core.clock import from_iso

AuditOutcome = strawberry.enum(audit_log.Outcome, name="AuditOutcome")


@strawberry.type(description="One mutation call: who, what, on which IDs, how it ended.")
class AuditEvent(relay.Node):
    event_id: relay.NodeID[str]
    event: strawberry.Private[audit_log.AuditEvent]
    cursor_key: strawberry.Private[str]

    @strawberry.field
    def actor(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.event.actor_id)

    @strawberry.field
    def actor_role(self) -> str:
        return self.event.actor_role

    @strawberry.field(description="The mutation's name, e.g. requestExport.")
    def operation(self) -> str:
        return self.event.operation

    @strawberry.field(description="Global IDs named in the input or returned.")
    def target_ids(self) -> list[str]:
        return self.event.target_ids

    @strawberry.field
    def outcome(self) -> AuditOutcome:  # type: ignore[valid-type]
        return self.event.outcome

    @strawberry.field
    def error_codes(self) -> list[str]:
        return self.event.error_codes

    @strawberry.field
    def request_id(self) -> str:
        return self.event.request_id

    @strawberry.field
    def occurred_at(self) -> datetime:
        return from_iso(self.event.occurred_at)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: list[str], required: bool = False
                      ) -> list[None]:
        # Events are read through the connection only (they are keyed by time).
        return [None for _ in node_ids]


@strawberry.type(name="AuditEventConnection")
class AuditEventConnection(relay.Connection[AuditEvent]):
    pass


@strawberry.input
class AuditEventFilter:
    actor: relay.GlobalID | None = None
    operation: str | None = None
    outcome: AuditOutcome | None = None  # type: ignore[valid-type]
    since: datetime | None = None
    until: datetime | None = None


async def audit_events(info: Info, first: int | None = None, after: str | None = None,
                       filter: AuditEventFilter | None = None) -> AuditEventConnection:
    page = page_request(first, after, "audit")
    given = filter or AuditEventFilter()
    flt = audit_log.AuditFilter(
        actor_id=node_id_of(given.actor, "User", "actor") if given.actor else None,
        operation=given.operation, outcome=given.outcome, since=given.since,
        until=given.until)
    found, has_next = await asyncio.to_thread(
        audit_log.page, info.context.principal.partner_id, flt, after_key=page.after,
        limit=page.size)
    nodes = [AuditEvent(event_id=e.event_id, event=e, cursor_key=key) for key, e in found]
    return build_connection(AuditEventConnection, nodes, has_next, "audit",
                            lambda n: n.cursor_key, after)  # type: ignore[return-value]


@strawberry.type
class Query:
    audit_events: AuditEventConnection = access.query(
        "Query.auditEvents", audit_events,
        "Audit events of the partner, newest first; kept at least 180 days.")
