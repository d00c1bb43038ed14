"""A 1,000-lead dispatch job against 1,000 conditional updates made one after another.

Both run in one process against one embedded AWS (moto with the fidelity fixes of
`partner_center.local.moto_server`), on leads of a partner of their own:

- baseline: 1,000 UpdateItem calls, one after another, each conditional on the lead's
  status (the lead half of what the job does per lead, without its history entry);
- sequential job work: the job's own per-lead read + transaction, one lead at a time
  (what the job would cost without concurrency);
- the job: `run_dispatch` end to end (claim, 1,000 leads settled in transactions of up
  to 50 leads and their 50 history entries, several transactions in flight, each lead
  with its own condition; the report written to S3, completion).

    python bench/lead_dispatch.py [--leads 1000] [--target 5]

Prints one line per measurement and `PASS`/`FAIL` for job vs baseline >= target.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from partner_center.core.clock import to_iso, utcnow
from partner_center.core.ids import new_id
from partner_center.jobs.model import ExportFormat, JobKind
from partner_center.jobs.store import JobStore
from partner_center.leads import runner
from partner_center.leads.models import LeadItem, lead_key
from partner_center.leads.rules import DispatchAction
from partner_center.leads.store import LeadStore, Transition
from partner_center.local.environment import start_environment
from partner_center.storage.models import DirectoryItem

PARTNER = "ptn-bench-leads"
STAFF = "usr-bench-staff"


def make_leads(count: int) -> list[str]:
    now = to_iso(utcnow())
    ids = [new_id() for _ in range(count)]
    with LeadItem.batch_write() as batch:
        for lead_id in ids:
            batch.save(LeadItem(PARTNER, lead_key(lead_id), lead_id=lead_id, name="bench",
                                source="website", region="east", industry="retail",
                                status="undispatched", created_at=now, updated_at=now))
    return ids


def baseline(ids: list[str]) -> float:
    started = time.perf_counter()
    for lead_id in ids:
        LeadItem(PARTNER, lead_key(lead_id)).update(
            actions=[LeadItem.status.set("dispatched"), LeadItem.assignee_id.set(STAFF)],
            condition=LeadItem.status == "undispatched")
    return time.perf_counter() - started


def sequential_job_work(ids: list[str]) -> float:
    store = LeadStore(PARTNER)
    change = Transition(DispatchAction.DISPATCH, new_id(), "usr-bench", STAFF)
    started = time.perf_counter()
    for lead_id in ids:
        assert store.apply(lead_id, change).succeeded
    return time.perf_counter() - started


def dispatch_job(ids: list[str], settings: object) -> float:
    job_id = new_id()
    JobStore(PARTNER).create(
        job_id=job_id, kind=JobKind.LEAD_DISPATCH, fmt=ExportFormat.CSV,
        parameters={"dispatch": {"action": "dispatch", "staff_id": STAFF,
                                 "lead_count": len(ids)}},
        requested_by="usr-bench", idempotency_key=None, request_hash="bench",
        job_input={"lead_ids": ids})
    started = time.perf_counter()
    assert asyncio.run(runner.run_dispatch(PARTNER, job_id, settings)) == "completed"
    seconds = time.perf_counter() - started
    job = JobStore(PARTNER).get(job_id)
    assert job is not None and job.succeeded_count == len(ids), job
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--target", type=float, default=5.0)
    args = parser.parse_args()
    environment = start_environment()
    try:
        DirectoryItem(PARTNER, f"USER#{STAFF}", name="bench staff", login="bench-staff",
                      role="staff").save()
        sets = [make_leads(args.leads) for _ in range(3)]
        base = baseline(sets[0])
        print(f"baseline: {args.leads} conditional updates one after another: {base:.2f} s")
        sequential = sequential_job_work(sets[1])
        print(f"the job's per-lead work one lead at a time: {sequential:.2f} s")
        job = dispatch_job(sets[2], environment.settings)
        print(f"dispatch job ({runner.chunk_size(args.leads)} leads per transaction, "
              f"{runner.CONCURRENCY} transactions in flight): {job:.2f} s "
              f"({sequential / job:.1f}x the same work one at a time)")
        ratio = base / job
        verdict = "PASS" if ratio >= args.target else "FAIL"
        print(f"{verdict}: the job is {ratio:.2f}x faster than the baseline "
              f"(target {args.target}x)")
        return 0 if ratio >= args.target else 1
    finally:
        environment.stop()


if __name__ == "__main__":
    sys.exit(main())
