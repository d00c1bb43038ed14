"""Reading leads and requesting dispatch jobs: the rules, independent of GraphQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from partner_center.config import Settings
from partner_center.core.auth import Menu, Principal
from partner_center.core.errors import BadInput, Refused
from partner_center.core.ids import new_id
from partner_center.core.logs import fields, get_logger
from partner_center.core.permissions import (
    lead_owner_scope,
    require_lead_dispatch,
    require_menu,
)
from partner_center.jobs.codes import JobCode
from partner_center.jobs.messages import JobMessage
from partner_center.jobs.model import ExportFormat, Job, JobKind
from partner_center.jobs.queue import enqueue
from partner_center.jobs.store import JobStore
from partner_center.leads.filters import LeadFilter
from partner_center.leads.models import LeadHistoryItem, LeadItem
from partner_center.leads.rules import DispatchAction, Reason
from partner_center.leads.staff import is_partner_staff
from partner_center.leads.store import LeadStore

log = get_logger(__name__)

MAX_BATCH = 1000
QUEUE_KEY = "dispatch"

JOB_KINDS = {
    DispatchAction.DISPATCH: JobKind.LEAD_DISPATCH,
    DispatchAction.RECALL: JobKind.LEAD_RECALL,
}


@dataclass(frozen=True)
class DispatchRequest:
    action: DispatchAction
    lead_ids: list[str]
    staff_id: str | None = None


def distinct_lead_ids(lead_ids: list[str]) -> list[str]:
    """The batch as the job sees it: each lead once, in the order first given."""
    if not lead_ids:
        raise BadInput("leadIds must name at least one lead", field="leadIds")
    distinct = list(dict.fromkeys(lead_ids))
    if len(distinct) > MAX_BATCH:
        raise BadInput(f"a batch holds at most {MAX_BATCH} leads", field="leadIds")
    return distinct


async def request_dispatch(
    principal: Principal, request: DispatchRequest, settings: Settings
) -> Job:
    """Create a dispatch (or recall) job for a batch of leads and enqueue it (R6, R7).

    The message carries the partner and job IDs only; the lead IDs travel as the job's
    input item. Returns at once: the worker decides lead by lead.
    """
    require_lead_dispatch(principal)
    lead_ids = distinct_lead_ids(request.lead_ids)
    staff_id = request.staff_id
    if request.action is DispatchAction.DISPATCH and not (
        staff_id is not None
        and await asyncio.to_thread(is_partner_staff, principal.partner_id, staff_id)
    ):
        raise Refused(
            Reason.STAFF_NOT_IN_PARTNER.value,
            "staffId is not a staff member of this partner",
            "staffId",
        )
    parameters = {
        "dispatch": {
            "action": request.action.value,
            "staff_id": request.staff_id,
            "lead_count": len(lead_ids),
        }
    }
    request_hash = hashlib.sha256(
        json.dumps([request.action.value, request.staff_id, lead_ids]).encode()
    ).hexdigest()
    store = JobStore(principal.partner_id, retention=timedelta(days=settings.job_retention_days))
    job, _ = await asyncio.to_thread(
        store.create,
        job_id=new_id(),
        kind=JOB_KINDS[request.action],
        fmt=ExportFormat.CSV,
        parameters=parameters,
        requested_by=principal.user_id,
        idempotency_key=None,
        request_hash=request_hash,
        job_input={"lead_ids": lead_ids},
    )
    try:
        await enqueue(settings.queue_url(QUEUE_KEY), JobMessage(job.partner_id, job.job_id))
    except Exception as exc:
        log.error(
            "dispatch job could not be enqueued", extra=fields(job_id=job.job_id), exc_info=exc
        )
        await asyncio.to_thread(store.fail, job.job_id, JobCode.ENQUEUE_FAILED)
        raise Refused(
            JobCode.ENQUEUE_FAILED, "the dispatch job could not be queued; try again"
        ) from exc
    log.info(
        "dispatch job requested",
        extra=fields(job_id=job.job_id, action=request.action.value, leads=len(lead_ids)),
    )
    return job


async def search_leads(
    principal: Principal,
    flt: LeadFilter,
    *,
    after_lead_id: str | None,
    limit: int,
    newest_first: bool,
) -> tuple[list[LeadItem], bool]:
    require_menu(principal, Menu.LEADS)
    return await asyncio.to_thread(
        LeadStore(principal.partner_id).page,
        flt.validate(),
        owner_id=lead_owner_scope(principal),
        after_lead_id=after_lead_id,
        limit=limit,
        newest_first=newest_first,
    )


async def get_lead(principal: Principal, lead_id: str) -> LeadItem | None:
    """A lead the caller may see, or None (another partner's, another staff's, none)."""
    require_menu(principal, Menu.LEADS)
    lead = await asyncio.to_thread(LeadStore(principal.partner_id).get, lead_id)
    if lead is None:
        return None
    owner = lead_owner_scope(principal)
    if owner is not None and lead.assignee_id != owner:
        return None
    return lead


async def get_leads(principal: Principal, lead_ids: list[str]) -> dict[str, LeadItem]:
    """The leads of `lead_ids` the caller may see, by ID, in one batch read (the ones it
    may not see are left out, as `get_lead` answers None for them)."""
    require_menu(principal, Menu.LEADS)
    # BatchGetItem refuses a key named twice.
    wanted = list(dict.fromkeys(lead_ids))
    found = await asyncio.to_thread(LeadStore(principal.partner_id).get_many, wanted)
    owner = lead_owner_scope(principal)
    return {k: v for k, v in found.items() if owner is None or v.assignee_id == owner}


async def lead_history(principal: Principal, lead_id: str) -> list[LeadHistoryItem]:
    if await get_lead(principal, lead_id) is None:
        return []
    return await asyncio.to_thread(LeadStore(principal.partner_id).history, lead_id)
