"""Leads: the `Lead` node, the `leads` search, and the `dispatchLeads` / `recallLeads`
mutations, which answer at once with a dispatch job to poll (R6, R7)."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.api.customers.users import PartnerUser
from partner_center.api.types.jobs import JobNode
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.core.errors import ClientError, Forbidden, NotFound, Refused
from partner_center.idempotency.once import once
from partner_center.jobs.codes import JobCode
from partner_center.jobs.store import JobStore
from partner_center.leads import service
from partner_center.leads.filters import LeadFilter
from partner_center.leads.models import LeadHistoryItem, LeadItem
from partner_center.leads.rules import DispatchAction, LeadStatus

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(
    LeadStatus,
    name="LeadStatus",
    description="undispatched → dispatched → recalled (and "
    "dispatched again); converted and closed end it.",
)
LeadStatusEnum: TypeAlias = LeadStatus
strawberry.enum(DispatchAction, name="LeadDispatchAction")
DispatchActionEnum: TypeAlias = DispatchAction


@strawberry.enum(description="Leads are listed in creation order.")
class LeadOrder(enum.Enum):
    CREATED_AT_DESC = "created_desc"
    CREATED_AT_ASC = "created_asc"


def _user(user_id: str | None) -> relay.GlobalID | None:
    return relay.GlobalID("User", user_id) if user_id else None


@strawberry.type(description="One dispatch or recall of a lead.")
class LeadHistoryEntry:
    entry: strawberry.Private[LeadHistoryItem]

    @strawberry.field
    def action(self) -> DispatchActionEnum:
        return DispatchAction(self.entry.action)

    @strawberry.field(description="The user who requested the dispatch job.")
    def actor_id(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.entry.actor_id)

    @strawberry.field(description="The staff the lead was dispatched to, or recalled from.")
    def staff_id(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.entry.staff_id)

    @strawberry.field
    def from_status(self) -> LeadStatusEnum:
        return LeadStatus(self.entry.from_status)

    @strawberry.field
    def to_status(self) -> LeadStatusEnum:
        return LeadStatus(self.entry.to_status)

    @strawberry.field(description="The dispatch job that made the change.")
    def job_id(self) -> relay.GlobalID:
        return relay.GlobalID("Job", self.entry.job_id)

    @strawberry.field
    def occurred_at(self) -> datetime:
        return from_iso(self.entry.occurred_at)


def _contact_name(root: LeadNode) -> str | None:
    return root.lead.contact_name


def _contact_phone(root: LeadNode) -> str | None:
    return root.lead.contact_phone


@strawberry.type(name="Lead", description="A sales prospect handed to the partner.")
class LeadNode(relay.Node):
    lead_id: relay.NodeID[str]
    lead: strawberry.Private[LeadItem]

    @strawberry.field(description="The prospect: a company or a person.")
    def name(self) -> str:
        return self.lead.name

    contact_name: str | None = access.guarded("Lead.contactName", _contact_name)
    contact_phone: str | None = access.guarded("Lead.contactPhone", _contact_phone)

    @strawberry.field
    def source(self) -> str:
        return self.lead.source

    @strawberry.field
    def region(self) -> str:
        return self.lead.region

    @strawberry.field
    def industry(self) -> str:
        return self.lead.industry

    @strawberry.field
    def status(self) -> LeadStatusEnum:
        return LeadStatus(self.lead.status)

    @strawberry.field(description="The staff the lead is dispatched to (null when none).")
    def assignee_id(self) -> relay.GlobalID | None:
        return _user(self.lead.assignee_id)

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.lead.created_at)

    @strawberry.field(description="When it was last dispatched.")
    def dispatched_at(self) -> datetime | None:
        return from_iso_or_none(self.lead.dispatched_at)

    @strawberry.field(description="When it was last recalled.")
    def recalled_at(self) -> datetime | None:
        return from_iso_or_none(self.lead.recalled_at)

    @strawberry.field
    def updated_at(self) -> datetime:
        return from_iso(self.lead.updated_at)

    @strawberry.field(description="Every dispatch and recall, oldest first.")
    async def history(self, info: Info) -> list[LeadHistoryEntry]:
        entries = await service.lead_history(info.context.principal, self.lead.lead_id)
        return [LeadHistoryEntry(entry=e) for e in entries]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                lead = await service.get_lead(info.context.principal, node_id)
            except Forbidden:
                lead = None  # `node` answers null rather than confirm the ID exists
            results.append(cls(lead_id=lead.lead_id, lead=lead) if lead else None)
        return results


@strawberry.type(name="LeadConnection")
class LeadConnection(relay.Connection[LeadNode]):
    pass


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


@strawberry.type(
    description="The dispatch job that settles the batch lead by lead; poll "
    "`job` for its counts and per-lead report."
)
class LeadDispatchPayload:
    job: JobNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def _request(
    info: Info,
    action: DispatchAction,
    lead_ids: list[relay.GlobalID],
    staff_id: relay.GlobalID | None,
    key: str | None,
) -> LeadDispatchPayload:
    principal = info.context.principal
    operation = "dispatchLeads" if action is DispatchAction.DISPATCH else "recallLeads"
    try:
        ids = [node_id_of(g, "Lead", "leadIds") for g in lead_ids]
        staff = node_id_of(staff_id, "User", "staffId") if staff_id is not None else None
        request = service.DispatchRequest(action=action, lead_ids=ids, staff_id=staff)
        store = JobStore(principal.partner_id)
        job = await once(
            principal,
            operation,
            key,
            {"leadIds": ids, "staffId": staff},
            lambda: service.request_dispatch(principal, request, info.context.settings),
            encode=lambda j: j.job_id,
            decode=store.get,
        )
    except Forbidden:
        raise  # permission errors stay GraphQL errors
    except ClientError as refusal:
        return LeadDispatchPayload(errors=[UserError.from_client_error(refusal)])
    except Refused as refusal:
        return LeadDispatchPayload(
            errors=[UserError(code=refusal.code, field=refusal.field, message=refusal.message)]
        )
    if job is None:  # a replay whose job has since expired
        return LeadDispatchPayload(
            errors=[
                UserError(
                    code=JobCode.JOB_EXPIRED,
                    field="idempotencyKey",
                    message="the job of this idempotency key has expired",
                )
            ]
        )
    return LeadDispatchPayload(job=JobNode(job_id=job.job_id, job=job))


async def dispatch_leads(info: Info, input: DispatchLeadsInput) -> LeadDispatchPayload:
    return await _request(
        info, DispatchAction.DISPATCH, input.lead_ids, input.staff_id, input.idempotency_key
    )


async def recall_leads(info: Info, input: RecallLeadsInput) -> LeadDispatchPayload:
    return await _request(info, DispatchAction.RECALL, input.lead_ids, None, input.idempotency_key)


async def leads(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: LeadFilterInput | None = None,
    order_by: LeadOrder = LeadOrder.CREATED_AT_DESC,
) -> LeadConnection:
    kind = f"lead-{order_by.value}"
    page = page_request(first, after, kind)
    flt = (filter or LeadFilterInput()).to_filter()
    found, has_next = await service.search_leads(
        info.context.principal,
        flt,
        after_lead_id=page.after,
        limit=page.size,
        newest_first=order_by is LeadOrder.CREATED_AT_DESC,
    )
    nodes = [LeadNode(lead_id=lead.lead_id, lead=lead) for lead in found]
    return build_connection(LeadConnection, nodes, has_next, kind, lambda n: n.lead_id, after)


async def lead(info: Info, id: relay.GlobalID) -> LeadNode | None:
    lead_id = node_id_of(id, "Lead", "id")
    found = await service.get_lead(info.context.principal, lead_id)
    if found is None:
        raise NotFound("no lead with this ID")
    return LeadNode(lead_id=found.lead_id, lead=found)


async def list_partner_staff(info: Info) -> list[PartnerUser]:
    from partner_center.leads.staff import partner_staff

    users = await asyncio.to_thread(partner_staff, info.context.principal.partner_id)
    return [PartnerUser.of(u.entity.removeprefix("USER#"), u) for u in users]


@strawberry.type
class Query:
    partner_staff: list[PartnerUser] = access.query(
        "Query.partnerStaff",
        list_partner_staff,
        "The partner's staff users, whom leads are dispatched to (dispatchLeads' staffId).",
    )
    leads: LeadConnection = access.query(
        "Query.leads", leads, "Search leads (partner staff: the leads dispatched to them)."
    )
    lead: LeadNode | None = access.query(
        "Query.lead",
        lead,
        "A lead with its dispatch history; NOT_FOUND when the caller may not see it.",
    )


@strawberry.type
class Mutation:
    dispatch_leads: LeadDispatchPayload = access.mutation(
        "Mutation.dispatchLeads",
        dispatch_leads,
        "Dispatch 1 to 1,000 leads to a staff member, as a dispatch job (R6, R7).",
    )
    recall_leads: LeadDispatchPayload = access.mutation(
        "Mutation.recallLeads",
        recall_leads,
        "Recall 1 to 1,000 dispatched leads, as a dispatch job (R6, R7).",
    )
