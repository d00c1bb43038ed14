"""The audit log's objects: an event and a page of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.audit.enums import AuditOutcome
from partner_center.api.audit.loaders import event_loader
from partner_center.api.context import Info
from partner_center.api.core.loaders import nodes_of
from partner_center.audit import log as audit_log
from partner_center.core.clock import from_iso


@strawberry.type(description="One mutation call: who, what, on which IDs, how it ended.")
class AuditEvent(relay.Node):
    # The event's key (`<occurred_at>#<event_id>`): what `node` needs to read it back.
    event_key: relay.NodeID[str]
    actor: relay.GlobalID
    actor_role: str
    operation: str = strawberry.field(description="The mutation's name, e.g. requestExport.")
    target_ids: list[str] = strawberry.field(
        description="Global IDs named in the input or returned."
    )
    outcome: AuditOutcome
    error_codes: list[str]
    request_id: str
    occurred_at: datetime

    @classmethod
    def of(cls, event: audit_log.AuditEvent) -> AuditEvent:
        return cls(
            event_key=event.key,
            actor=relay.GlobalID("User", event.actor_id),
            actor_role=event.actor_role,
            operation=event.operation,
            target_ids=event.target_ids,
            outcome=event.outcome,
            error_codes=event.error_codes,
            request_id=event.request_id,
            occurred_at=from_iso(event.occurred_at),
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        if not access.permits("Query.auditEvents", info.context.principal):
            # Who may not read the log gets null, as for any object it may not see.
            return [None for _ in node_ids]
        return await nodes_of(event_loader(info), node_ids, cls.of)


@strawberry.type(name="AuditEventConnection")
class AuditEventConnection(relay.Connection[AuditEvent]):
    pass
