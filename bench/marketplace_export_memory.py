"""Peak memory of the marketplace bill-details export (R9), read from DynamoDB: a bill of
20,000 transactions within 1.3x of a bill of 2,000.

`export_memory.py` measures the writer (anonymizer, CSV, S3 multipart) fed by a
generator; this one measures the read side the marketplace adds: the real plan
(`marketplace_bill_details.plan`) querying the bill's key range in the embedded AWS page
by page, through the same prefetching thread, anonymizer and CSV encoder the worker
uses. The encoded file goes to a temporary file on disk (not to S3, whose 8 MiB part
buffer would dominate files this small) and is checked afterwards. A plan that held a
bill's rows in memory (to sort, count or total them) would grow tenfold and FAIL.
Python heap peaks are taken with tracemalloc around each run, after a warm-up.

    python bench/marketplace_export_memory.py [--small 2000] [--large 20000] [--target 1.3]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gc
import io
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from partner_center.exports.columns import Anonymizer
from partner_center.exports.encodings import ENCODINGS
from partner_center.exports.kinds import marketplace_bill_details
from partner_center.exports.prefetch import prefetch
from partner_center.jobs.model import ExportFormat, Job, JobKind, JobStatus
from partner_center.local.demo.marketplace import PRODUCTS
from partner_center.local.environment import start_environment
from partner_center.marketplace.attribution import Attribution
from partner_center.marketplace.models import TransactionItem
from partner_center.marketplace.orders import Buyer, build_transaction

PARTNER = "ptn-bench-marketplace"
MIB = 1024 * 1024
BUYER_COLUMN = [c.header for c in marketplace_bill_details.COLUMNS].index("买家/Buyer")


@dataclass
class Run:
    label: str
    rows: int
    peak: int
    seconds: float
    written: int
    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def load_bill(month: int, rows: int) -> str:
    """`rows` transactions in one product-solution bill of 2024-<month>; its bill ID."""
    solution = next(p for p in PRODUCTS if p.product_id == "mp-sol-retail")
    start = datetime(2024, month, 1, tzinfo=UTC) - timedelta(hours=8)
    attribution = Attribution(partner_id=PARTNER, link_id="lnk-bench", reason=None)
    bill_id = ""
    with TransactionItem.batch_write() as batch:
        for number in range(rows):
            placed = start + timedelta(seconds=number * 86400 * 27 // rows)
            buyer = Buyer(
                name=f"欧阳买家{number:06d}",
                phone=f"139{number:08d}",
                email=f"buyer{number:06d}@example.cn",
            )
            txn = build_transaction(
                solution,
                solution.price_plans[number % 2],
                1 + number % 5,
                buyer,
                attribution,
                placed,
                f"ord-{month:02d}-{number:07d}",
            )
            bill_id = txn.bill_id
            batch.save(txn.to_item())
    return bill_id


def job_for(bill_id: str) -> Job:
    return Job(
        partner_id=PARTNER,
        job_id=f"bench-{bill_id}",
        kind=JobKind.MARKETPLACE_BILL_DETAILS,
        format=ExportFormat.CSV,
        parameters={"filter": {"bill_id": bill_id}},
        status=JobStatus.RUNNING,
        progress=0,
        row_count=None,
        byte_size=None,
        sha256=None,
        object_key=None,
        file_name=None,
        requested_by="bench",
        created_at="",
        started_at=None,
        finished_at=None,
        error_code=None,
        last_attempt_error=None,
        attempts=1,
    )


async def export_once(label: str, bill_id: str, rows: int, target: Path) -> Run:
    plan = marketplace_bill_details.plan(job_for(bill_id))
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        anonymizer = Anonymizer(plan.columns)
        encoder = ENCODINGS[ExportFormat.CSV].encoder(anonymizer.headers)
        written = 0
        with target.open("wb") as out:
            async for page in prefetch(plan.pages):
                out.write(encoder.encode([anonymizer.row(r) for r in page]))
                written += len(page)
            for chunk in encoder.finish():
                out.write(chunk)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Run(label, rows, peak, seconds, written, target)


def verify(run: Run) -> None:
    """Every row is in the file, in time order, and no buyer is there unmasked."""
    body = run.path.read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body, newline="")))
    assert len(table) - 1 == run.rows == run.written, (len(table) - 1, run.rows)
    order_ids = [r[0] for r in table[1:]]
    assert order_ids == sorted(order_ids), "rows out of time order"
    assert all(r[BUYER_COLUMN].endswith("****") for r in table[1:]), "an unmasked buyer"
    assert "欧阳买家" not in body and "@example.cn" in body and "buyer0" not in body


async def main_async(bills: dict[str, tuple[str, int]], folder: Path) -> list[Run]:
    runs = []
    for label in ("warmup", "small", "large"):
        bill_id, rows = bills[label]
        run = await export_once(label, bill_id, rows, folder / f"{label}.csv")
        verify(run)
        runs.append(run)
    return runs[1:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument(
        "--target", type=float, default=1.3, help="highest passing peak(large) / peak(small)"
    )
    args = parser.parse_args()
    environment = start_environment()
    try:
        loading = time.perf_counter()
        bills = {
            label: (load_bill(month, rows), rows)
            for label, month, rows in (
                ("warmup", 1, args.warmup),
                ("small", 2, args.small),
                ("large", 3, args.large),
            )
        }
        print(
            f"loaded {args.warmup + args.small + args.large} transactions into the "
            f"embedded DynamoDB in {time.perf_counter() - loading:.0f} s"
        )
        with tempfile.TemporaryDirectory() as folder:
            runs = asyncio.run(main_async(bills, Path(folder)))
            print(f"{'run':<6} {'rows':>7} {'file MiB':>9} {'peak MiB':>9} {'seconds':>8}")
            for run in runs:
                print(
                    f"{run.label:<6} {run.rows:>7} {run.size / MIB:>9.2f} "
                    f"{run.peak / MIB:>9.2f} {run.seconds:>8.1f}"
                )
    finally:
        environment.stop()
    small, large = runs
    ratio = large.peak / small.peak
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(
        f"RATIO peak({large.rows}) / peak({small.rows}) = {ratio:.2f} "
        f"(target <= {args.target:.2f}) {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
