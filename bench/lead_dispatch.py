"""A 1,000-lead dispatch job against the same 1,000 conditional updates one after another.

Everything runs in one process against one embedded AWS (moto with the fixes of
`partner_center.local.moto_server`), on leads of a partner of their own:

- baseline: the job's own conditional update of each lead (the same actions and the
  same condition on the status as read), sent as 1,000 UpdateItem calls one after
  another, without the history entries, reads and report the job also writes;
- sequential job work: the job's per-lead read + transaction, one lead at a time
  (what the job would cost without batching or concurrency);
- the job: `run_dispatch` end to end, in a warm worker (claim, one batched read per 100 leads, leads
  settled in transactions of up to 50 leads and their 50 history entries, several
  transactions in flight, each lead with its own condition; the report written to S3,
  completion).

Besides wall time, each line gives the CPU the embedded AWS spent (read from /proc):
moto serves DynamoDB on one core, one request at a time, so a job cannot finish faster
than the embedded AWS's CPU for its work. `ceiling` is the baseline's wall time over the
job's embedded-AWS CPU: the most any client-side concurrency could reach on this server.

    python bench/lead_dispatch.py [--leads 1000] [--target 5] [--latency-ms 5]
                                  [--limits 1,2,4,8] [--configured]

`--latency-ms` (default 5) starts the embedded AWS with its latency model: every
DynamoDB request waits that long before it is served, holding no lock (DynamoDB from a
Lambda function in the same region answers in single-digit milliseconds); the baseline
and the job pay it alike. `--latency-ms 0` measures moto's bare CPU. `--limits` runs the
job again with each number of transactions in flight and prints limit -> ratio; the
verdict is the job at the product's own limit (`runner.CONCURRENCY`).

`--configured` runs against the AWS the environment configures (the `PC_*` variables the
Lambda functions get, e.g. a deployed dev stage: its tables and bucket) instead of
starting the embedded AWS; it writes 3 x `--leads` leads of `ptn-bench-leads` there and
cannot report the server's CPU.

Prints one line per measurement and `PASS`/`FAIL` for job vs baseline >= target.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cost

from partner_center.core.clock import to_iso, utcnow
from partner_center.core.ids import new_id
from partner_center.jobs.model import ExportFormat, JobKind
from partner_center.jobs.store import JobStore
from partner_center.leads import runner
from partner_center.leads.models import LeadItem, lead_key
from partner_center.leads.rules import DispatchAction
from partner_center.leads.store import LeadStore, Transition
from partner_center.local.environment import start_environment
from partner_center.local.moto_server import LATENCY_ENV
from partner_center.runtime import bootstrap
from partner_center.storage.models import DirectoryItem

PARTNER = "ptn-bench-leads"
STAFF = "usr-bench-staff"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    wall: float
    server_cpu: float | None  # seconds of CPU the embedded AWS spent meanwhile
    client_cpu: float  # seconds of CPU this process spent meanwhile

    def line(self, leads: int) -> str:
        server = (
            ""
            if self.server_cpu is None
            else f"embedded AWS CPU {self.server_cpu:.2f} s "
            f"({self.server_cpu / leads * 1000:.2f} ms per lead), "
        )
        return f"{self.wall:.2f} s wall; {server}this process's CPU {self.client_cpu:.2f} s"


def server_cpu(pid: int | None) -> float | None:
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def measure(pid: int | None, work: Callable[[], None]) -> Measured:
    cpu, client, started = server_cpu(pid), time.process_time(), time.perf_counter()
    work()
    wall, after = time.perf_counter() - started, server_cpu(pid)
    return Measured(
        wall, None if cpu is None or after is None else after - cpu, time.process_time() - client
    )


def make_leads(count: int) -> list[LeadItem]:
    now = to_iso(utcnow())
    leads = []
    with LeadItem.batch_write() as batch:
        for _ in range(count):
            lead_id = new_id()
            lead = LeadItem(
                PARTNER,
                lead_key(lead_id),
                lead_id=lead_id,
                name="bench lead",
                contact_name="bench contact",
                contact_phone="13800000000",
                source="website",
                region="east",
                industry="retail",
                status="undispatched",
                created_at=now,
                updated_at=now,
            )
            batch.save(lead)
            leads.append(lead)
    return leads


def baseline(leads: list[LeadItem]) -> Callable[[], None]:
    store = LeadStore(PARTNER)
    change = Transition(DispatchAction.DISPATCH, new_id(), "usr-bench", STAFF)
    writes = [store.plan_write(lead, change, to_iso(utcnow())) for lead in leads]

    def run() -> None:
        for write in writes:
            LeadItem(PARTNER, write.lead.lead_key).update(
                actions=write.actions, condition=write.expected
            )

    return run


def sequential_job_work(leads: list[LeadItem]) -> Callable[[], None]:
    store = LeadStore(PARTNER)
    change = Transition(DispatchAction.DISPATCH, new_id(), "usr-bench", STAFF)

    def run() -> None:
        for lead in leads:
            assert store.apply(lead.lead_id, change).succeeded

    return run


def dispatch_job(leads: list[LeadItem], settings: object) -> Callable[[], None]:
    job_id = new_id()
    JobStore(PARTNER).create(
        job_id=job_id,
        kind=JobKind.LEAD_DISPATCH,
        fmt=ExportFormat.CSV,
        parameters={
            "dispatch": {"action": "dispatch", "staff_id": STAFF, "lead_count": len(leads)}
        },
        requested_by="usr-bench",
        idempotency_key=None,
        request_hash="bench",
        job_input={"lead_ids": [lead.lead_id for lead in leads]},
    )

    def run() -> None:
        assert asyncio.run(runner.run_dispatch(PARTNER, job_id, settings)) == "completed"
        job = JobStore(PARTNER).get(job_id)
        assert job is not None and job.succeeded_count == len(leads), job

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--target", type=float, default=5.0)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=5.0,
        help="the embedded AWS's per-request DynamoDB latency (0: none)",
    )
    parser.add_argument(
        "--limits", default="1,2,4,8", help="transactions in flight to tabulate (empty: none)"
    )
    parser.add_argument(
        "--configured", action="store_true", help="use the AWS the PC_* environment configures"
    )
    args = parser.parse_args(argv)
    limits = [int(n) for n in args.limits.split(",") if n.strip()]
    if not args.configured:
        os.environ[LATENCY_ENV] = str(args.latency_ms)
        print(
            f"embedded AWS latency model: {args.latency_ms:g} ms per DynamoDB request, "
            "outside the per-table lock"
        )
    environment = None if args.configured else start_environment()
    settings = bootstrap() if environment is None else environment.settings
    pid = environment.aws.process.pid if environment and environment.aws.process else None
    try:
        DirectoryItem(
            PARTNER, f"USER#{STAFF}", name="bench staff", login="bench-staff", role="staff"
        ).save()
        # Warm clients on both sides, as in a warm Lambda: the baseline's client is made
        # by the seeding below, the job's clients by a first, small job.
        dispatch_job(make_leads(10), settings)()
        sets = [make_leads(args.leads) for _ in range(3 + len(limits))]
        base = measure(pid, baseline(sets[0]))
        print(
            f"baseline, {args.leads} conditional updates one after another: {base.line(args.leads)}"
        )
        sequential = measure(pid, sequential_job_work(sets[1]))
        print(f"the job's per-lead work one lead at a time: {sequential.line(args.leads)}")
        # Every request of the job, its creation (the API's write) included, for its cost.
        with _cost.Meter().product() as meter:
            job = measure(pid, dispatch_job(sets[2], settings))
        print(
            f"dispatch job ({runner.chunk_size(args.leads)} leads per transaction, "
            f"{runner.CONCURRENCY} transactions in flight): {job.line(args.leads)}"
        )
        print(f"cost of that job ({args.leads} leads, {job.wall:.2f} s), scaled to 1,000 leads:")
        for line in meter.cost_lines(
            "1,000 dispatched leads", 1000 / args.leads, job.wall, _cost.memory_mb("dispatchWorker")
        ):
            print(line)
        ratio = base.wall / job.wall
        if limits:
            print("transactions in flight -> job wall, job vs baseline")
            product_limit = runner.CONCURRENCY
            try:
                for limit, leads in zip(limits, sets[3:], strict=True):
                    runner.CONCURRENCY = limit
                    run = measure(pid, dispatch_job(leads, settings))
                    print(f"  {limit:>2} -> {run.wall:.2f} s, {base.wall / run.wall:.2f}x")
            finally:
                runner.CONCURRENCY = product_limit
        print(f"the job is {sequential.wall / job.wall:.1f}x its own work done one lead at a time")
        if job.server_cpu:
            ceiling = base.wall / job.server_cpu
            print(
                f"ceiling on this server: {ceiling:.2f}x (baseline wall / the job's "
                f"embedded AWS CPU); the job reaches {ratio / ceiling:.0%} of it"
            )
        verdict = "PASS" if ratio >= args.target else "FAIL"
        print(
            f"{verdict}: the job is {ratio:.2f}x faster than the baseline (target {args.target}x)"
        )
        return 0 if ratio >= args.target else 1
    finally:
        if environment is not None:
            environment.stop()


if __name__ == "__main__":
    sys.exit(main())
