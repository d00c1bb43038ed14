"""Running one dispatch (or recall) job: claim it, settle each lead, write the report.

At-least-once in, exactly-once out, as for exports: a duplicate delivery finds the job
claimed or done and does nothing; a failed attempt hands the job back, and its
redelivery skips the leads it already settled (their history entries name the job), so
no lead is dispatched twice and no history entry is written twice.

Leads are settled in chunks, each chunk one transaction of up to 50 leads and their
history entries (DynamoDB's 100 actions), several chunks concurrently (a bounded thread
pool: pynamodb is blocking). Every lead keeps its own condition: when a transaction is
cancelled, the leads that failed theirs are settled one by one (re-read, given their
reason) and the rest of the chunk is sent again, so one failing lead never holds up the
others.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

from partner_center.config import Settings
from partner_center.core.faults import fault_point
from partner_center.core.logs import fields, get_logger
from partner_center.exports.runner import PROGRESS_EVERY_SECONDS, object_key, write_export
from partner_center.jobs.attempt import LeaseLost, attempt, failure_code
from partner_center.jobs.codes import JobCode
from partner_center.jobs.model import Job, JobKind
from partner_center.jobs.store import Claim, JobStore
from partner_center.leads import report
from partner_center.leads.models import LeadItem
from partner_center.leads.rules import DispatchAction, LeadStatus, Reason, refusal
from partner_center.leads.staff import is_partner_staff
from partner_center.leads.store import (
    CHUNK_LEADS,
    LeadContention,
    LeadStore,
    Outcome,
    Transition,
)
from partner_center.storage import aws
from partner_center.webhooks.job_events import job_finished

log = get_logger(__name__)

# Transactions (chunks of up to CHUNK_LEADS leads) in flight at once. DynamoDB serves
# them in parallel; the bound keeps one job from starving others of connections and
# write capacity, and keeps what a crash or a lost lease leaves running small.
CONCURRENCY = 4

# A job is cut into at least this many chunks when it has the leads for it.
MIN_CHUNKS = 8

FILE_STEMS = {
    JobKind.LEAD_DISPATCH: "lead-dispatch-report",
    JobKind.LEAD_RECALL: "lead-recall-report",
}


class JobInputMissing(Exception):
    """The job's input item (its lead IDs) is gone: it can never run."""


def error_code(exc: BaseException) -> JobCode:
    match exc:
        case LeadContention():
            return JobCode.LEAD_CONTENTION
        case JobInputMissing():
            return JobCode.JOB_INPUT_MISSING
        case _:
            return failure_code(exc, JobCode.DISPATCH_ERROR)


async def run_dispatch(partner_id: str, job_id: str, settings: Settings) -> str:
    """Returns what happened ("completed", "duplicate: <status>"); raises to retry."""
    store = JobStore(partner_id)
    lease = timedelta(seconds=settings.job_lease_seconds)

    async def work(claim: Claim) -> None:
        fault_point("dispatch.start")
        await _run(claim, store, settings, lease)

    outcome = await attempt(
        store, job_id, lease, noun="dispatch job", work=work, error_code=error_code
    )
    await job_finished(partner_id, job_id)  # its event, once (as for exports)
    return outcome


@dataclass
class Tally:
    total: int
    done: int = 0
    succeeded: int = 0
    failed: int = 0

    def add(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.succeeded:
            self.succeeded += 1
        else:
            self.failed += 1


ProgressHook = Callable[[Tally], bool]


def chunk_size(lead_count: int) -> int:
    """Leads per transaction: up to CHUNK_LEADS, but at least MIN_CHUNKS chunks when the
    job has the leads for it, so progress, the lease check and a crash land between
    chunks rather than after the whole job."""
    return max(1, min(CHUNK_LEADS, math.ceil(lead_count / MIN_CHUNKS)))


def settle_all(
    leads: LeadStore,
    lead_ids: list[str],
    change: Transition,
    staff_ok: bool,
    on_progress: ProgressHook,
    report_every: float,
) -> list[Outcome]:
    """Every lead's outcome, in the order given. `on_progress` returning False (the lease
    was lost) stops the batch: no further chunk is started."""

    read: dict[str, LeadItem] = {}

    def settle(indexes: range) -> list[Outcome | None]:
        fault_point("dispatch.chunk")  # tests pause here to see a job mid-way
        found: list[Outcome | None] = [None] * len(indexes)
        writable: list[tuple[int, LeadItem]] = []
        repeated: list[int] = []
        in_transaction: set[str] = set()
        for position, index in enumerate(indexes):
            lead_id = lead_ids[index]
            lead = read.get(lead_id)
            if not staff_ok:
                found[position] = Outcome(
                    lead_id,
                    False,
                    Reason.STAFF_NOT_IN_PARTNER,
                    lead,
                    lead.status if lead else None,
                    None,
                    None,
                    None,
                )
            elif lead_id in in_transaction:
                repeated.append(position)  # one transaction cannot touch an item twice
            elif (
                lead is not None
                and refusal(
                    change.action, LeadStatus(lead.status), lead.assignee_id, change.staff_id
                )
                is None
            ):
                in_transaction.add(lead_id)
                writable.append((position, lead))
            else:
                # Missing or refused as read: its reason, or this job's earlier write.
                found[position] = leads.apply(lead_id, change, read=lead, was_read=True)
        written = leads.apply_chunk([lead for _, lead in writable], change) if writable else []
        for (position, _), outcome in zip(writable, written, strict=True):
            found[position] = outcome
        for position in repeated:
            found[position] = leads.apply(lead_ids[indexes[position]], change)
        return found

    leads.connection()  # created once, before the threads share it
    # One batched read per 100 leads instead of one read per lead: each lead's write is
    # still conditional on what was read, so a lead changed since is simply read again.
    read.update(leads.get_many(lead_ids))
    outcomes: list[Outcome | None] = [None] * len(lead_ids)
    tally = Tally(total=len(lead_ids))
    half_reported = False
    last_report = time.monotonic()
    size = chunk_size(len(lead_ids))
    pool = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="dispatch")
    try:
        pending: dict[Future[list[Outcome | None]], range] = {}
        queue = iter(
            range(start, min(start + size, len(lead_ids)))
            for start in range(0, len(lead_ids), size)
        )

        def top_up() -> None:
            # Submit lazily, so a lost lease stops the batch within CONCURRENCY chunks.
            while len(pending) < CONCURRENCY:
                try:
                    indexes = next(queue)
                except StopIteration:
                    return
                pending[pool.submit(settle, indexes)] = indexes

        top_up()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                indexes = pending.pop(future)
                for index, outcome in zip(indexes, future.result(), strict=True):
                    assert outcome is not None
                    outcomes[index] = outcome
                    tally.add(outcome)
            if not half_reported and tally.done * 2 >= tally.total:
                half_reported = True
                fault_point("dispatch.half_done")
            if time.monotonic() - last_report >= report_every:
                last_report = time.monotonic()
                if not on_progress(tally):
                    raise LeaseLost(change.job_id)
            top_up()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [o for o in outcomes if o is not None]


async def _run(claim: Claim, store: JobStore, settings: Settings, lease: timedelta) -> None:
    job = claim.job
    spec = job.parameters.get("dispatch", {})
    action = DispatchAction(spec["action"])
    data = await asyncio.to_thread(store.read_input, job.job_id)
    if not isinstance(data, dict) or not isinstance(data.get("lead_ids"), list):
        raise JobInputMissing(job.job_id)
    lead_ids: list[str] = data["lead_ids"]
    change = Transition(
        action=action, job_id=job.job_id, actor_id=job.requested_by, staff_id=spec.get("staff_id")
    )
    # The staff was checked at request time; it may have left the partner since.
    staff_ok = action is DispatchAction.RECALL or await asyncio.to_thread(
        is_partner_staff, job.partner_id, change.staff_id or ""
    )
    report_every = min(PROGRESS_EVERY_SECONDS, lease.total_seconds() / 3)

    def on_progress(tally: Tally) -> bool:
        percent = min(99, tally.done * 100 // max(tally.total, 1))
        return store.report_progress(
            job.job_id,
            claim.token,
            percent,
            tally.done,
            lease,
            succeeded=tally.succeeded,
            failed=tally.failed,
        )

    outcomes = await asyncio.to_thread(
        settle_all, LeadStore(job.partner_id), lead_ids, change, staff_ok, on_progress, report_every
    )
    await _finish(job, claim, store, settings, outcomes)


async def _finish(
    job: Job, claim: Claim, store: JobStore, settings: Settings, outcomes: list[Outcome]
) -> None:
    plan = report.plan(outcomes, FILE_STEMS[job.kind])
    file_name = f"{plan.file_stem}-{job.job_id}.csv"
    key = object_key(job, file_name)
    fault_point("dispatch.before_report")
    async with aws.client("s3") as s3:
        written = await write_export(
            plan,
            s3,
            settings.exports_bucket,
            key,
            file_name,
            part_bytes=settings.multipart_part_bytes,
            fmt=job.format,
        )
    succeeded = sum(1 for o in outcomes if o.succeeded)
    done = await asyncio.to_thread(
        store.complete,
        job.job_id,
        claim.token,
        object_key=key,
        file_name=file_name,
        row_count=written.rows,
        byte_size=written.byte_size,
        sha256=written.sha256,
        succeeded=succeeded,
        failed=len(outcomes) - succeeded,
    )
    if not done:
        raise LeaseLost(job.job_id)
    log.info(
        "dispatch job completed",
        extra=fields(
            job_id=job.job_id,
            leads=len(outcomes),
            succeeded=succeeded,
            failed=len(outcomes) - succeeded,
        ),
    )
