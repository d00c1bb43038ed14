"""Peak memory of the export writer: 200,000 rows within 1.2x of 20,000 rows.

The real anonymizer, CSV encoder and S3 multipart upload (`write_export`) run against
the embedded AWS (moto in a child process, so its memory is not counted); the rows come
from a deterministic generator of real ConsumptionLine instances in pages, so DynamoDB
itself is left out. Each size runs in a fresh worker process (as each Lambda invocation
of the export worker would), after an unmeasured warm-up; the criterion is that
process's peak resident memory (what Lambda's memory limit applies to). The Python heap
peak (tracemalloc, around the measured run only) is printed too: it grows until the file
fills one multipart part, then stays flat.

    python bench/export_memory.py [--small 20000] [--large 200000] [--target 1.2]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
import json
import os
import resource
import subprocess
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
from partner_center.exports.kinds.consumption_details import COLUMNS
from partner_center.exports.plan import ExportPlan
from partner_center.exports.runner import Written, write_export
from partner_center.local.environment import start_environment
from partner_center.runtime import bootstrap
from partner_center.storage import aws

ROOT = Path(__file__).resolve().parents[1]
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
    cpu: float  # this process's CPU seconds (the embedded AWS runs in another)
    written: Written
    key: str


async def export_once(
    s3: Any,
    bucket: str,
    label: str,
    rows: int,
    page_size: int,
    part_bytes: int,
    customers: list[tuple[str, str]],
) -> Run:
    plan = ExportPlan(
        columns=COLUMNS,
        pages=_fake_lines.pages(PARTNER, rows, customers, page_size),
        file_stem="consumption-details",
        progress=lambda _: 0.0,
    )
    key = f"bench/memory/{label}-{rows}-{uuid.uuid4().hex}.csv"
    gc.collect()
    tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        written = await write_export(
            plan, s3, bucket, key, key.rsplit("/", 1)[1], part_bytes=part_bytes
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Run(label, rows, peak, retained, seconds, cpu, written, key)


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


async def child_async(args: argparse.Namespace) -> tuple[Run, int]:
    settings = get_settings()
    bucket = settings.exports_bucket
    part_bytes = args.part_bytes or settings.multipart_part_bytes
    customers = _fake_lines.customer_pool()
    async with aws.client("s3") as s3:
        # Unmeasured: loads the S3 operation models, opens connections, fills caches.
        warm = await export_once(
            s3, bucket, "warmup", args.warmup, args.page_size, part_bytes, customers
        )
        await verify(s3, bucket, warm, customers)
        run = await export_once(
            s3, bucket, args.child, args.rows, args.page_size, part_bytes, customers
        )
        # The high-water mark now, before verify() reads the whole file back in.
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        await verify(s3, bucket, run, customers)
    return run, rss


def child(args: argparse.Namespace) -> int:
    bootstrap(reload=True)
    run, rss = asyncio.run(child_async(args))
    print(
        json.dumps(
            {
                "label": run.label,
                "rows": run.rows,
                "heap": run.peak,
                "rss": rss,
                "bytes": run.written.byte_size,
                "seconds": run.seconds,
                "cpu": run.cpu,
            }
        )
    )
    return 0


def measure(label: str, rows: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        label,
        "--rows",
        str(rows),
        "--warmup",
        str(args.warmup),
        "--page-size",
        str(args.page_size),
        "--part-bytes",
        str(args.part_bytes),
    ]
    done = subprocess.run(
        command,
        env={**os.environ, **lambda_process_env()},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def lambda_process_env() -> dict[str, str]:
    """What serverless.yml sets for every function's process that shapes its memory
    (glibc's MALLOC_ARENA_MAX and MALLOC_MMAP_THRESHOLD_): the child exports as the
    deployed worker would."""
    from partner_center.local import infra

    config = infra.load_cfn_yaml((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    provider = config["provider"].get("environment", {})
    return {k: str(v) for k, v in provider.items() if k.startswith("MALLOC_")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=20_000, help="rows of the baseline run")
    parser.add_argument("--large", type=int, default=200_000, help="rows of the measured run")
    parser.add_argument("--warmup", type=int, default=5_000, help="rows of the warm-up run")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument(
        "--part-bytes",
        type=int,
        default=0,
        help="multipart part size (default: the settings' value)",
    )
    parser.add_argument(
        "--target", type=float, default=1.2, help="highest passing peak(large) / peak(small)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    environment = start_environment()
    try:
        part_bytes = args.part_bytes or get_settings().multipart_part_bytes
        runs = [measure("small", args.small, args), measure("large", args.large, args)]
    finally:
        environment.stop()

    print(
        f"part size {part_bytes / MIB:.1f} MiB, page size {args.page_size} rows, "
        f"one fresh worker process per size"
    )
    print(
        f"{'run':<6} {'rows':>8} {'file MiB':>9} {'peak RSS MiB':>13} "
        f"{'heap peak MiB':>14} {'seconds':>8}"
    )
    for run in runs:
        print(
            f"{run['label']:<6} {run['rows']:>8} {run['bytes'] / MIB:>9.1f} "
            f"{run['rss'] / MIB:>13.1f} {run['heap'] / MIB:>14.2f} {run['seconds']:>8.1f}"
        )
    small, large = runs
    heap_ratio = large["heap"] / small["heap"]
    print(
        f"heap peak ratio {heap_ratio:.2f} (informational: the small file is under one "
        f"part, so it never holds the part buffer the large one does)"
    )
    ratio = large["rss"] / small["rss"]
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(
        f"RATIO peak RSS({large['rows']}) / peak RSS({small['rows']}) = {ratio:.2f} "
        f"(target <= {args.target:.2f}) {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
