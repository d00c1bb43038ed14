"""Peak memory of the export writer: 200,000 rows within 1.2x of 20,000 rows.

The real anonymizer, CSV encoder and S3 multipart upload (`write_export`) run against
the embedded AWS (moto in a child process, so its memory is not counted); the rows come
from a deterministic generator of real ConsumptionLine instances in pages, so DynamoDB
itself is left out. Python heap peaks are taken with tracemalloc, started just before and
stopped just after each run, in one process, after an unmeasured warm-up run.

    python bench/export_memory.py [--small 20000] [--large 200000] [--target 1.2]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
import sys
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _fake_lines

from partner_center.config import get_settings
from partner_center.exports.consumption_details import COLUMNS
from partner_center.exports.plan import ExportPlan
from partner_center.exports.runner import Written, write_export
from partner_center.local.environment import start_environment
from partner_center.storage import aws

PARTNER = "ptn-bench-memory"
MIB = 1024 * 1024
NAME_COLUMN = [c.header for c in COLUMNS].index("客户名称/Customer name")


@dataclass
class Run:
    label: str
    rows: int
    peak: int
    retained: int
    seconds: float
    written: Written
    key: str


async def export_once(s3: Any, bucket: str, label: str, rows: int, page_size: int,
                      part_bytes: int, customers: list[tuple[str, str]]) -> Run:
    plan = ExportPlan(columns=COLUMNS,
                      pages=_fake_lines.pages(PARTNER, rows, customers, page_size),
                      file_stem="consumption-details", progress=lambda _: 0.0)
    key = f"bench/memory/{label}-{rows}-{uuid.uuid4().hex}.csv"
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        written = await write_export(plan, s3, bucket, key, key.rsplit("/", 1)[1],
                                     part_bytes=part_bytes)
        seconds = time.perf_counter() - started
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Run(label, rows, peak, retained, seconds, written, key)


async def verify(s3: Any, bucket: str, run: Run, customers: list[tuple[str, str]]) -> None:
    """The object exists whole, holds every row, and no long raw name got through."""
    head = await s3.head_object(Bucket=bucket, Key=run.key)
    assert head["ContentLength"] == run.written.byte_size, (head["ContentLength"], run)
    assert run.written.rows == run.rows, run
    response = await s3.get_object(Bucket=bucket, Key=run.key)
    body = (await response["Body"].read()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == [c.header for c in COLUMNS], rows[0]
    assert len(rows) - 1 == run.rows, (len(rows) - 1, run.rows)
    assert all("*" in r[NAME_COLUMN] for r in rows[1:]), "an unmasked customer name"
    long_names = [name for _, name in customers if len(name) >= 3][:100]
    leaked = [name for name in long_names if name in body]
    assert not leaked, f"raw names in the file: {leaked[:3]}"
    await s3.delete_object(Bucket=bucket, Key=run.key)


async def main_async(args: argparse.Namespace) -> list[Run]:
    settings = get_settings()
    bucket = settings.exports_bucket
    part_bytes = args.part_bytes or settings.multipart_part_bytes
    customers = _fake_lines.customer_pool()
    runs: list[Run] = []
    async with aws.client("s3") as s3:
        # Unmeasured: loads the S3 operation models, opens connections, fills caches.
        warm = await export_once(s3, bucket, "warmup", args.warmup, args.page_size,
                                 part_bytes, customers)
        await verify(s3, bucket, warm, customers)
        for label, rows in (("small", args.small), ("large", args.large)):
            run = await export_once(s3, bucket, label, rows, args.page_size, part_bytes,
                                    customers)
            await verify(s3, bucket, run, customers)
            runs.append(run)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=20_000, help="rows of the baseline run")
    parser.add_argument("--large", type=int, default=200_000, help="rows of the measured run")
    parser.add_argument("--warmup", type=int, default=5_000, help="rows of the warm-up run")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--part-bytes", type=int, default=0,
                        help="multipart part size (default: the settings' value)")
    parser.add_argument("--target", type=float, default=1.2,
                        help="highest passing peak(large) / peak(small)")
    args = parser.parse_args()

    environment = start_environment()
    try:
        part_bytes = args.part_bytes or get_settings().multipart_part_bytes
        runs = asyncio.run(main_async(args))
    finally:
        environment.stop()

    print(f"part size {part_bytes / MIB:.1f} MiB, page size {args.page_size} rows, "
          f"tracemalloc peak of write_export (Python heap, this process only)")
    print(f"{'run':<6} {'rows':>8} {'file MiB':>9} {'parts':>5} {'peak MiB':>9} "
          f"{'left MiB':>9} {'seconds':>8}")
    for run in runs:
        parts = max(1, -(-run.written.byte_size // max(part_bytes, 5 * MIB)))
        print(f"{run.label:<6} {run.rows:>8} {run.written.byte_size / MIB:>9.1f} {parts:>5} "
              f"{run.peak / MIB:>9.2f} {run.retained / MIB:>9.2f} {run.seconds:>8.1f}")
    small, large = runs
    ratio = large.peak / small.peak
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(f"RATIO peak({large.rows}) / peak({small.rows}) = {ratio:.2f} "
          f"(target <= {args.target:.2f}) {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
