"""The audit log: `auditEvents`, for partner administrators."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.audit import log as audit_log
from partner_center.core.clock import from_iso

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(audit_log.Outcome, name="AuditOutcome")
AuditOutcome: TypeAlias = audit_log.Outcome


@strawberry.type(description="One mutation call: who, what, on which IDs, how it ended.")
class AuditEvent(relay.Node):
    # The event's key (`<occurred_at>#<event_id>`): what `node` needs to read it back.
    event_key: relay.NodeID[str]
    event: strawberry.Private[audit_log.AuditEvent]

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
    def outcome(self) -> AuditOutcome:
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
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        principal = info.context.principal
        if not access.permits("Query.auditEvents", principal):
            # Who may not read the log gets null, as for any object it may not see.
            return [None for _ in node_ids]
        found = [
            await asyncio.to_thread(audit_log.get, principal.partner_id, key) for key in node_ids
        ]
        return [cls(event_key=e.key, event=e) if e else None for e in found]


@strawberry.type(name="AuditEventConnection")
class AuditEventConnection(relay.Connection[AuditEvent]):
    pass


@strawberry.input
class AuditEventFilter:
    actor: relay.GlobalID | None = None
    operation: str | None = None
    outcome: AuditOutcome | None = None
    since: datetime | None = None
    until: datetime | None = None


async def audit_events(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: AuditEventFilter | None = None,
) -> AuditEventConnection:
    page = page_request(first, after, "audit")
    given = filter or AuditEventFilter()
    flt = audit_log.AuditFilter(
        actor_id=node_id_of(given.actor, "User", "actor") if given.actor else None,
        operation=given.operation,
        outcome=given.outcome,
        since=given.since,
        until=given.until,
    )
    found, has_next = await asyncio.to_thread(
        audit_log.page,
        info.context.principal.partner_id,
        flt,
        after_key=page.after,
        limit=page.size,
    )
    nodes = [AuditEvent(event_key=e.key, event=e) for e in found]
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
