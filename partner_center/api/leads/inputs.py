"""The leads search conditions and the dispatch and recall inputs."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.core.ids import node_id_of
from partner_center.api.leads.enums import LeadStatusEnum
from partner_center.leads.filters import LeadFilter
from partner_center.leads.rules import LeadStatus


@strawberry.input(
    description="Lead search conditions, all optional and combined with AND. "
    "Dates are Beijing dates (UTC+8), inclusive."
)
class LeadFilterInput:
    statuses: list[LeadStatusEnum] | None = None
    assigned_to: relay.GlobalID | None = strawberry.field(
        default=None, description="The ID of the staff (User) the leads are dispatched to."
    )
    source: str | None = None
    region: str | None = None
    industry: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    dispatched_from: date | None = None
    dispatched_to: date | None = None
    name_contains: str | None = strawberry.field(
        default=None, description="Part of the lead's name (case-sensitive)."
    )

    def to_filter(self) -> LeadFilter:
        return LeadFilter(
            statuses=frozenset(LeadStatus(s) for s in self.statuses or []),
            assignee_id=None
            if self.assigned_to is None
            else node_id_of(self.assigned_to, "User", "assignedTo"),
            source=self.source,
            region=self.region,
            industry=self.industry,
            created_from=self.created_from,
            created_to=self.created_to,
            dispatched_from=self.dispatched_from,
            dispatched_to=self.dispatched_to,
            name_contains=self.name_contains,
        )


@strawberry.input
class DispatchLeadsInput:
    lead_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 1,000 leads; a lead named twice counts once."
    )
    staff_id: relay.GlobalID = strawberry.field(description="A staff User of this partner.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeat a request with the same key to get the same job."
    )


@strawberry.input
class RecallLeadsInput:
    lead_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 1,000 leads; a lead named twice counts once."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Repeat a request with the same key to get the same job."
    )
