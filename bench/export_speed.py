"""Rows per second of the anonymized export, DynamoDB to S3, against a plain dump.

Seeds N consumption lines for one partner into the embedded AWS (moto in a child
process), then alternates two sides over the same rows of the same table:

- baseline: a plain boto3 DynamoDB `query` loop (partner_id = :p, paginated with
  LastEvaluatedKey, DynamoDB's default page size unless --baseline-limit) writing every
  attribute unmasked with csv.writer to a local temporary file;
- measured: a real export job (JobStore.create) run by the real worker path,
  `run_export` (claim, pynamodb query pages, anonymize, CSV, multipart upload to S3,
  complete).

The best round of each side is compared: measured rows/s / baseline rows/s >= 0.7.

With webhooks (the default; `--no-webhook` skips it) more rounds alternate the same
export with and without (enabled / disabled) a webhook subscription of the partner to
EXPORT_JOB_SUCCEEDED, pointing at a local receiver that answers 503 after 2 s, while
the real webhook worker polls its queue in a thread: each export records and publishes
its event (webhook queue, EventBridge) and the worker keeps failing at the slow
receiver. Best subscribed rows/s / best unsubscribed rows/s (the same export, the
subscription disabled, the worker still running) >= 0.9: fan-out and a bad receiver do
not slow the export.

    python bench/export_speed.py [--rows 20000] [--rounds 2] [--target 0.7] [--no-webhook]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cost
import _fake_lines

from partner_center.consumption.store import PAGE_SIZE
from partner_center.exports.runner import run_export
from partner_center.jobs.model import ExportFormat, JobKind, JobStatus
from partner_center.jobs.store import JobStore
from partner_center.local.environment import start_environment
from partner_center.storage.models import ConsumptionLine

PARTNER = "ptn-bench-speed"
ATTRIBUTES = list(ConsumptionLine.get_attributes())


class QueryClock:
    """Counts DynamoDB Query calls of a botocore client and the time spent in them."""

    def __init__(self, client: Any) -> None:
        self._lock = threading.Lock()
        self.calls = 0
        self.seconds = 0.0
        client.meta.events.register("before-call.dynamodb.Query", self._before)
        client.meta.events.register("after-call.dynamodb.Query", self._after)

    def _before(self, context: dict[str, Any], **_: Any) -> None:
        context["bench_started"] = time.perf_counter()

    def _after(self, context: dict[str, Any], **_: Any) -> None:
        elapsed = time.perf_counter() - context.pop("bench_started", time.perf_counter())
        with self._lock:
            self.calls += 1
            self.seconds += elapsed

    def take(self) -> tuple[int, float]:
        with self._lock:
            taken = self.calls, self.seconds
            self.calls, self.seconds = 0, 0.0
        return taken


@dataclass
class Round:
    side: str
    number: int
    rows: int
    seconds: float
    queries: int
    query_seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def seed(dynamodb: Any, table: str, rows: int, threads: int) -> float:
    started = time.perf_counter()
    items = [
        line.serialize() for line in _fake_lines.lines(PARTNER, rows, _fake_lines.customer_pool())
    ]

    def put(batch: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in batch]
        while requests:
            response = dynamodb.batch_write_item(RequestItems={table: requests})
            requests = response.get("UnprocessedItems", {}).get(table, [])

    batches = [items[i : i + 25] for i in range(0, len(items), 25)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, batches))
    return time.perf_counter() - started


def baseline(
    dynamodb: Any, clock: QueryClock, table: str, limit: int | None, folder: str, number: int
) -> Round:
    path = os.path.join(folder, f"baseline-{number}.csv")
    started = time.perf_counter()
    rows = 0
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "partner_id = :p",
        "ExpressionAttributeValues": {":p": {"S": PARTNER}},
    }
    if limit:
        request["Limit"] = limit
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ATTRIBUTES)
        while True:
            response = dynamodb.query(**request)
            for item in response["Items"]:
                writer.writerow(
                    [next(iter(item[name].values())) if name in item else "" for name in ATTRIBUTES]
                )
            rows += len(response["Items"])
            last = response.get("LastEvaluatedKey")
            if not last:
                break
            request["ExclusiveStartKey"] = last
    seconds = time.perf_counter() - started
    os.remove(path)
    queries, query_seconds = clock.take()
    return Round("baseline", number, rows, seconds, queries, query_seconds)


def measured(s3: Any, clock: QueryClock, settings: Any, number: int) -> Round:
    store = JobStore(PARTNER)
    job_id = f"bench{uuid.uuid4().hex[:12]}"
    store.create(
        job_id=job_id,
        kind=JobKind.CONSUMPTION_DETAILS,
        fmt=ExportFormat.CSV,
        parameters={"filter": {}, "manager_scope": None},
        requested_by="bench",
        idempotency_key=None,
        request_hash="bench",
    )
    clock.take()
    started = time.perf_counter()
    outcome = asyncio.run(run_export(PARTNER, job_id, settings))
    seconds = time.perf_counter() - started
    queries, query_seconds = clock.take()
    job = store.get(job_id)
    assert outcome == "completed" and job is not None, (outcome, job)
    assert job.status == JobStatus.SUCCEEDED, job
    head = s3.head_object(Bucket=settings.exports_bucket, Key=job.object_key)
    assert head["ContentLength"] == job.byte_size, (head["ContentLength"], job.byte_size)
    s3.delete_object(Bucket=settings.exports_bucket, Key=job.object_key)
    return Round("measured", number, job.row_count or 0, seconds, queries, query_seconds)


def subscribe(url: str) -> Callable[[bool], None]:
    """A subscription of the partner to EXPORT_JOB_SUCCEEDED at `url`; returns its on/off
    switch."""
    from partner_center.core.auth import AccountType, Principal, Role
    from partner_center.webhooks import service
    from partner_center.webhooks.store import WebhookStore
    from partner_center.webhooks.topics import Topic

    admin = Principal(
        partner_id=PARTNER,
        user_id="bench",
        login="bench",
        role=Role.ADMIN,
        account_type=AccountType.SOLUTION_PROVIDER,
    )
    created = asyncio.run(service.create(admin, url, [Topic.EXPORT_JOB_SUCCEEDED]))
    store = WebhookStore(PARTNER)

    def toggle(enabled: bool) -> None:
        store.update_subscription(created.subscription, url=None, topics=None, enabled=enabled)

    return toggle


def webhook_worker(environment: Any, stop: threading.Event) -> threading.Thread:
    from partner_center.local.functions import queue_functions
    from partner_center.local.sqs_poller import QueuePoller

    function = next(f for f in queue_functions() if f.name == "webhookWorker")
    sqs = boto3.client(
        "sqs",
        endpoint_url=environment.settings.aws_endpoint_url,
        region_name=environment.settings.region,
    )
    poller = QueuePoller(
        sqs,
        function.queue_url(environment.outputs),
        function.load_handler(),
        function_name=function.name,
        batch_size=function.batch_size,
    )
    thread = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    thread.start()
    return thread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000, help="consumption lines seeded")
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="rounds of baseline then measured; the best of each counts",
    )
    parser.add_argument(
        "--baseline-limit",
        type=int,
        default=0,
        help="Limit of the baseline's queries (default: none, i.e. "
        "DynamoDB's 1 MB pages); the worker uses "
        f"{PAGE_SIZE}",
    )
    parser.add_argument("--seed-threads", type=int, default=4)
    parser.add_argument(
        "--webhook",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the export with a webhook subscription",
    )
    parser.add_argument(
        "--webhook-target",
        type=float,
        default=0.9,
        help="lowest passing subscribed / unsubscribed rows per second",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=0.7,
        help="lowest passing measured / baseline rows per second",
    )
    args = parser.parse_args()

    environment = start_environment()
    # The worker's JSON log lines would drown the table.
    logging.getLogger("partner_center").setLevel(logging.WARNING)
    rounds: list[Round] = []
    try:
        settings = environment.settings
        config = Config(max_pool_connections=max(args.seed_threads, 10))
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=settings.aws_endpoint_url,
            region_name=settings.region,
            config=config,
        )
        s3 = boto3.client("s3", endpoint_url=settings.aws_endpoint_url, region_name=settings.region)
        table = ConsumptionLine.Meta.table_name  # bound to the deployed table at start
        seconds = seed(dynamodb, table, args.rows, args.seed_threads)
        print(f"seeded {args.rows} rows in {seconds:.1f} s")
        baseline_clock = QueryClock(dynamodb)
        worker_clock = QueryClock(ConsumptionLine._get_connection().connection.client)
        stop = threading.Event()
        receiver = None
        meter = _cost.Meter()
        with tempfile.TemporaryDirectory(prefix="export-speed-") as folder:
            for number in range(1, args.rounds + 1):
                rounds.append(
                    baseline(
                        dynamodb, baseline_clock, table, args.baseline_limit or None, folder, number
                    )
                )
                if number == 1:  # every request of one whole export job, for its cost
                    with meter.product():
                        rounds.append(measured(s3, worker_clock, settings, number))
                else:
                    rounds.append(measured(s3, worker_clock, settings, number))
            if args.webhook:
                from partner_center.webhooks.listener import Receiver

                receiver = Receiver(status=503, delay=2.0).start()
                toggle = subscribe(receiver.url)
                webhook_worker(environment, stop)
                # Alternating rounds with the subscription on and off, the worker running
                # throughout, so drift and a busy machine weigh on both sides alike.
                for number in range(1, args.rounds + 1):
                    toggle(True)
                    subscribed = measured(s3, worker_clock, settings, number)
                    subscribed.side = "subscribed"
                    rounds.append(subscribed)
                    toggle(False)
                    unsubscribed = measured(s3, worker_clock, settings, number)
                    unsubscribed.side = "unsubscribed"
                    rounds.append(unsubscribed)
        stop.set()
    finally:
        environment.stop()
    if receiver is not None:
        print(f"webhook receiver got {len(receiver.received)} attempts (slow, 503)")
        receiver.stop()

    print(
        f"{'side':<9} {'round':>5} {'rows':>7} {'queries':>7} {'query s':>8} "
        f"{'total s':>8} {'rows/s':>8}"
    )
    for r in rounds:
        assert r.rows == args.rows, (r, args.rows)
        print(
            f"{r.side:<9} {r.number:>5} {r.rows:>7} {r.queries:>7} {r.query_seconds:>8.1f} "
            f"{r.seconds:>8.1f} {r.rate:>8.0f}"
        )
    best = {
        side: max(r.rate for r in rounds if r.side == side) for side in ("baseline", "measured")
    }
    ok = True
    if args.webhook:
        subscribed = max(r.rate for r in rounds if r.side == "subscribed")
        unsubscribed = max(r.rate for r in rounds if r.side == "unsubscribed")
        webhook_ratio = subscribed / unsubscribed
        ok = webhook_ratio >= args.webhook_target
        print(
            f"RATIO subscribed/unsubscribed = {subscribed:.0f}/{unsubscribed:.0f} rows/s "
            f"= {webhook_ratio:.2f} (target >= {args.webhook_target:.2f}) "
            f"{'PASS' if ok else 'FAIL'}"
        )
    costed = next(r for r in rounds if r.side == "measured")
    print(
        f"cost of the first measured export ({costed.rows} rows, {costed.seconds:.1f} s), "
        f"scaled to 100,000 rows:"
    )
    for line in meter.cost_lines(
        "100,000 exported rows",
        100_000 / costed.rows,
        costed.seconds,
        _cost.memory_mb("exportWorker"),
    ):
        print(line)
    ratio = best["measured"] / best["baseline"]
    verdict = "PASS" if ratio >= args.target else "FAIL"
    print(
        f"RATIO measured/baseline = {best['measured']:.0f}/{best['baseline']:.0f} rows/s "
        f"= {ratio:.2f} (target >= {args.target:.2f}) {verdict}"
    )
    return 0 if verdict == "PASS" and ok else 1


if __name__ == "__main__":
    sys.exit(main())
