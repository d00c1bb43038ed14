"""`dispatchLeads` and `recallLeads`: each answers at once with the dispatch job that
settles the batch lead by lead (R6, R7)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.mutations import refused, run_mutation
from partner_center.api.core.payloads import UserError
from partner_center.api.jobs.types import JobNode
from partner_center.api.leads.inputs import DispatchLeadsInput, RecallLeadsInput
from partner_center.api.leads.types import LeadDispatchPayload
from partner_center.core.errors import BadInput
from partner_center.jobs.codes import JobCode
from partner_center.jobs.model import Job
from partner_center.jobs.store import JobStore
from partner_center.leads import service
from partner_center.leads.rules import DispatchAction


def _job_id(job: Job | None) -> str | None:
    return job.job_id if job else None


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
    except BadInput as error:
        return LeadDispatchPayload(errors=refused(error).errors)
    request = service.DispatchRequest(action=action, lead_ids=ids, staff_id=staff)
    store = JobStore(principal.partner_id)

    async def dispatch() -> Job | None:
        return await service.request_dispatch(principal, request, info.context.settings)

    outcome = await run_mutation(
        principal,
        operation,
        key,
        {"leadIds": ids, "staffId": staff},
        dispatch,
        # A replay answers with the job as it is now, read again.
        encode=_job_id,
        decode=store.get,
    )
    if not outcome.ok:
        return LeadDispatchPayload(errors=outcome.errors)
    if outcome.result is None:  # a replay whose job has since expired
        return LeadDispatchPayload(
            errors=[
                UserError(
                    code=JobCode.JOB_EXPIRED,
                    field="idempotencyKey",
                    message="the job of this idempotency key has expired",
                )
            ]
        )
    return LeadDispatchPayload(job=JobNode.of(outcome.result))


async def dispatch_leads(info: Info, input: DispatchLeadsInput) -> LeadDispatchPayload:
    return await _request(
        info, DispatchAction.DISPATCH, input.lead_ids, input.staff_id, input.idempotency_key
    )


async def recall_leads(info: Info, input: RecallLeadsInput) -> LeadDispatchPayload:
    return await _request(info, DispatchAction.RECALL, input.lead_ids, None, input.idempotency_key)


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
