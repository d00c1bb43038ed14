"""The `Lead` node, its dispatch history, its connection and the dispatch payload."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.core.payloads import Payload
from partner_center.api.jobs.types import JobNode
from partner_center.api.leads.enums import DispatchActionEnum, LeadStatusEnum
from partner_center.api.leads.loaders import lead_loader
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.leads import service
from partner_center.leads.models import LeadHistoryItem, LeadItem
from partner_center.leads.rules import DispatchAction, LeadStatus


def _user(user_id: str | None) -> relay.GlobalID | None:
    return relay.GlobalID("User", user_id) if user_id else None


@strawberry.type(description="One dispatch or recall of a lead.")
class LeadHistoryEntry:
    action: DispatchActionEnum
    actor_id: relay.GlobalID = strawberry.field(
        description="The user who requested the dispatch job."
    )
    staff_id: relay.GlobalID = strawberry.field(
        description="The staff the lead was dispatched to, or recalled from."
    )
    from_status: LeadStatusEnum
    to_status: LeadStatusEnum
    job_id: relay.GlobalID = strawberry.field(description="The dispatch job that made the change.")
    occurred_at: datetime

    @classmethod
    def of(cls, entry: LeadHistoryItem) -> LeadHistoryEntry:
        return cls(
            action=DispatchAction(entry.action),
            actor_id=relay.GlobalID("User", entry.actor_id),
            staff_id=relay.GlobalID("User", entry.staff_id),
            from_status=LeadStatus(entry.from_status),
            to_status=LeadStatus(entry.to_status),
            job_id=relay.GlobalID("Job", entry.job_id),
            occurred_at=from_iso(entry.occurred_at),
        )


def _contact_name(root: LeadNode) -> str | None:
    return root.lead.contact_name


def _contact_phone(root: LeadNode) -> str | None:
    return root.lead.contact_phone


@strawberry.type(name="Lead", description="A sales prospect handed to the partner.")
class LeadNode(LoadedNode, relay.Node):
    lead_id: relay.NodeID[str]
    lead: strawberry.Private[LeadItem]
    # The contact is guarded (R1), so it keeps its resolver and permission; the rest are
    # plain fields (read from the attribute, no resolver per row), filled by `of`.
    contact_name: str | None = access.guarded("Lead.contactName", _contact_name)
    contact_phone: str | None = access.guarded("Lead.contactPhone", _contact_phone)
    name: str = strawberry.field(description="The prospect: a company or a person.")
    source: str
    region: str
    industry: str
    status: LeadStatusEnum
    assignee_id: relay.GlobalID | None = strawberry.field(
        description="The staff the lead is dispatched to (null when none)."
    )
    created_at: datetime
    dispatched_at: datetime | None = strawberry.field(description="When it was last dispatched.")
    recalled_at: datetime | None = strawberry.field(description="When it was last recalled.")
    updated_at: datetime

    @classmethod
    def of(cls, lead: LeadItem) -> LeadNode:
        return cls(
            lead_id=lead.lead_id,
            lead=lead,
            name=lead.name,
            source=lead.source,
            region=lead.region,
            industry=lead.industry,
            status=LeadStatus(lead.status),
            assignee_id=_user(lead.assignee_id),
            created_at=from_iso(lead.created_at),
            dispatched_at=from_iso_or_none(lead.dispatched_at),
            recalled_at=from_iso_or_none(lead.recalled_at),
            updated_at=from_iso(lead.updated_at),
        )

    @strawberry.field(description="Every dispatch and recall, oldest first.")
    async def history(self, info: Info) -> list[LeadHistoryEntry]:
        entries = await service.lead_history(info.context.principal, self.lead.lead_id)
        return [LeadHistoryEntry.of(e) for e in entries]

    node_loader = lead_loader


@strawberry.type(name="LeadConnection")
class LeadConnection(relay.Connection[LeadNode]):
    pass


@strawberry.type(
    description="The dispatch job that settles the batch lead by lead; poll "
    "`job` for its counts and per-lead report."
)
class LeadDispatchPayload(Payload):
    job: JobNode | None = None
