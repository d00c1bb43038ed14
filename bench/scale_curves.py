"""Scale curves: the export at 10k, 100k (and 1M) rows, the customers page at 100, 10k
(and 100k) customers per partner. Flat is the goal: export rows/s within 20% and peak
memory within 1.2x from the smallest size to the largest.

- export: each size runs `bench/export_memory.py`'s worker in a fresh process (the real
  anonymizer, CSV encoder and S3 multipart upload to the embedded AWS; the rows are real
  ConsumptionLine instances made page by page, as the query iterator makes them, so
  moto's own query cost is left out: it sorts the whole partition on every page, which
  says nothing of the product). Rows/s, peak RSS and the heap peak per size.
- customers: the customers page of `bench/customers_page.py` (API vs the same DynamoDB
  reads made directly, alternating rounds) with the demo partner's partition grown to
  each size by batch writes straight to the embedded AWS (the added customers sort after
  the demo ones and have the demo's managers; for 100 the demo's 300 are cut to 100).

Prints a table per curve, the log-log slope (0 is flat) and last-over-first ratios, the
DynamoDB requests of a page, and writes a small PNG (`--png`, needs the `bench` extra:
matplotlib) with the points next to it (`.json`: a run of one curve redraws the other
from its last run). Exits 1 if the export curve is not flat.

    python bench/scale_curves.py [--rows 10000,100000] [--million]
                                 [--customers 100,10000] [--hundred-thousand]
                                 [--png docs/img/scale-curves.png] [--skip customers]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import boto3
import customers_page
import export_memory

from partner_center.config import get_settings
from partner_center.local import demo_data
from partner_center.local.environment import start_environment
from partner_center.local.moto_server import LATENCY_ENV
from partner_center.storage.models import CustomerItem

MIB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) over log(x): 0 flat, 1 linear in the size."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / den if den else 0.0


def export_curve(sizes: list[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    options = argparse.Namespace(warmup=5_000, page_size=1000, part_bytes=0)
    runs = []
    for rows in sizes:
        started = time.perf_counter()
        run = export_memory.measure(f"r{rows}", rows, options)
        run["wall"] = time.perf_counter() - started
        run["rate"] = run["rows"] / run["seconds"]
        run["cpu_rate"] = run["rows"] / run["cpu"]
        run["load"] = os.getloadavg()[0]
        print(
            f"  export {rows:>9,} rows: {run['rate']:>8,.0f} rows/s, "
            f"{run['cpu_rate']:>8,.0f} rows per CPU-second, peak RSS "
            f"{run['rss'] / MIB:.1f} MiB, heap {run['heap'] / MIB:.1f} MiB "
            f"({run['wall']:.0f} s with the process start and the check; load average "
            f"{run['load']:.1f})",
            flush=True,
        )
        runs.append(run)
    return runs


def seed_customers(total: int, threads: int = 4) -> tuple[int, float]:
    """Grow (or cut) the demo partner's partition to `total` customers; returns (added,
    seconds)."""
    settings = get_settings()
    table = settings.table("customers")
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=settings.aws_endpoint_url, region_name=settings.region
    )
    partner = customers_page.PARTNER
    present = [
        c.customer_id for c in CustomerItem.query(partner, attributes_to_get=["customer_id"])
    ]
    if len(present) >= total:
        # The demo partner has more than the smallest size: the last ones go.
        surplus = present[total:]
        with CustomerItem.batch_write() as batch:
            for customer_id in surplus:
                batch.delete(CustomerItem(partner, customer_id))
        return -len(surplus), 0.0
    managers = sorted({c.manager_id for c in CustomerItem.query(partner) if c.manager_id})
    created = datetime(2026, 1, 5, 2, tzinfo=UTC)
    started = time.perf_counter()
    items = []
    for n in range(len(present), total):
        manager = managers[n % len(managers)] if managers and n % 4 else None
        item = CustomerItem(
            partner,
            f"cus-{partner[-3:]}-z{n:07d}",
            name=f"规模测试客户{n:07d}",
            account_name=f"scale{n:07d}",
            association="reseller" if n % 3 else "advisory",
            created_at=created,
            manager_id=manager,
            partner_manager=f"{partner}#{manager}" if manager else None,
            assigned_at=created if manager else None,
            open_alerts=n % 3,
        )
        items.append(item.serialize())

    def put(batch: list[dict[str, Any]]) -> None:
        requests = [{"PutRequest": {"Item": item}} for item in batch]
        while requests:
            response = dynamodb.batch_write_item(RequestItems={table: requests})
            requests = response.get("UnprocessedItems", {}).get(table, [])

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, [items[i : i + 25] for i in range(0, len(items), 25)]))
    return len(items), time.perf_counter() - started


def customers_curve(sizes: list[int], args: argparse.Namespace) -> list[dict[str, Any]]:
    options = argparse.Namespace(rounds=args.rounds, per_round=args.per_round)
    runs = []
    for total in sizes:
        added, seconds = seed_customers(total)
        api_rates, base_rates = asyncio.run(customers_page.measure(options))
        pairs = sorted(a / b for a, b in zip(api_rates, base_rates, strict=True))
        run = {
            "customers": total,
            "api": sorted(api_rates)[len(api_rates) // 2],
            "baseline": sorted(base_rates)[len(base_rates) // 2],
            "ratio": pairs[len(pairs) // 2],
            "api_requests": customers_page.COUNTED["api"].line(),
            "baseline_requests": customers_page.COUNTED["baseline"].line(),
        }
        print(
            f"  customers {total:>7,} (seeded {added:,} in {seconds:.0f} s): API "
            f"{run['api']:.1f} req/s, baseline {run['baseline']:.1f} req/s, ratio "
            f"{run['ratio']:.2f}; requests per page API {run['api_requests']}, baseline "
            f"{run['baseline_requests']}",
            flush=True,
        )
        runs.append(run)
    return runs


def plot(path: Path, exports: list[dict[str, Any]], customers: list[dict[str, Any]]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no PNG: matplotlib is not installed (pip install -e '.[bench]')")
        return
    panels = [p for p in (exports, customers) if p]
    figure, axes = plt.subplots(
        1, len(panels), figsize=(4.2 * len(panels), 2.8), dpi=80, squeeze=False
    )
    column = 0
    if exports:
        ax = axes[0][column]
        column += 1
        xs = [r["rows"] for r in exports]
        ax.plot(xs, [r["rate"] for r in exports], "o-", label="rows/s")
        ax.plot(xs, [r["cpu_rate"] for r in exports], "^:", label="rows/CPU-s")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("rows exported")
        ax.set_ylabel("rows per second")
        twin = ax.twinx()
        twin.plot(
            xs, [r["rss"] / MIB for r in exports], "s--", color="tab:red", label="peak RSS MiB"
        )
        twin.set_ylim(bottom=0)
        twin.set_ylabel("peak RSS MiB")
        ax.set_title("export (anonymize, CSV, S3 multipart)", fontsize=9)
        ax.legend(loc="lower left", fontsize=7)
        twin.legend(loc="lower right", fontsize=7)
    if customers:
        ax = axes[0][column]
        xs = [r["customers"] for r in customers]
        ax.plot(xs, [r["api"] for r in customers], "o-", label="API")
        ax.plot(xs, [r["baseline"] for r in customers], "s--", label="direct reads")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("customers of the partner")
        ax.set_ylabel("pages/s")
        ax.set_title("customers page of 100", fontsize=9)
        ax.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    print(
        f"plot: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
        f"({path.stat().st_size / 1024:.0f} KiB)"
    )


def sizes_of(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10000,100000", help="export sizes")
    parser.add_argument("--million", action="store_true", help="also export 1,000,000 rows")
    parser.add_argument("--customers", default="100,10000", help="customers per partner")
    parser.add_argument(
        "--hundred-thousand",
        action="store_true",
        help="also the customers page at 100,000 customers",
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=4)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="the embedded AWS's per-request DynamoDB latency (customers)",
    )
    parser.add_argument("--skip", choices=["export", "customers"], default=None)
    parser.add_argument(
        "--png",
        default=str(ROOT / "docs" / "img" / "scale-curves.png"),
        help="where to write the plot ('' for none)",
    )
    parser.add_argument(
        "--rate-band",
        type=float,
        default=0.2,
        help="largest passing |1 - rows/s(largest) / rows/s(smallest)|",
    )
    parser.add_argument(
        "--memory-target",
        type=float,
        default=1.2,
        help="highest passing peak RSS(largest) / peak RSS(smallest)",
    )
    args = parser.parse_args()
    rows = sizes_of(args.rows) + ([1_000_000] if args.million else [])
    customer_sizes = sizes_of(args.customers) + ([100_000] if args.hundred_thousand else [])
    os.environ[LATENCY_ENV] = str(args.latency_ms)
    started = time.perf_counter()
    environment = start_environment()
    exports: list[dict[str, Any]] = []
    customers: list[dict[str, Any]] = []
    try:
        if args.skip != "export":
            print("export curve (one fresh worker process per size):", flush=True)
            exports = export_curve(rows, args)
        if args.skip != "customers":
            demo_data.load()
            print(
                f"customers curve (latency model {args.latency_ms:g} ms; "
                f"{args.rounds} rounds of {args.per_round} pages per size):",
                flush=True,
            )
            customers = customers_curve(customer_sizes, args)
    finally:
        environment.stop()
    print(
        f"total {time.perf_counter() - started:.0f} s; load average "
        f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    verdict = "PASS"
    if exports:
        print(
            f"{'rows':>10} {'rows/s':>9} {'rows/CPU-s':>11} {'peak RSS MiB':>13} "
            f"{'heap MiB':>9} {'file MiB':>9} {'load':>5}"
        )
        for r in exports:
            print(
                f"{r['rows']:>10,} {r['rate']:>9,.0f} {r['cpu_rate']:>11,.0f} "
                f"{r['rss'] / MIB:>13.1f} {r['heap'] / MIB:>9.1f} {r['bytes'] / MIB:>9.1f} "
                f"{r['load']:>5.1f}"
            )
        xs = [r["rows"] for r in exports]
        first, last = exports[0], exports[-1]
        wall = last["rate"] / first["rate"]
        rate = last["cpu_rate"] / first["cpu_rate"]
        memory = last["rss"] / first["rss"]
        flat = abs(1 - rate) <= args.rate_band and memory <= args.memory_target
        verdict = "PASS" if flat else "FAIL"
        print(
            f"slope (log-log): rows/s {slope(xs, [r['rate'] for r in exports]):+.3f}, rows per "
            f"CPU-second {slope(xs, [r['cpu_rate'] for r in exports]):+.3f}, peak RSS "
            f"{slope(xs, [r['rss'] for r in exports]):+.3f}"
        )
        print(
            f"wall-clock rows/s {last['rows']:,} / {first['rows']:,} rows: {wall:.2f} (moves "
            "with the machine's load during each size; informational)"
        )
        # The verdict is on the worker's own CPU per row: on a shared machine the wall
        # clock of a 5-minute run measures the neighbours as much as the export.
        print(
            f"RATIO {last['rows']:,} / {first['rows']:,} rows: rows per CPU-second "
            f"{rate:.2f} (target {1 - args.rate_band:.2f}-{1 + args.rate_band:.2f}), peak "
            f"RSS {memory:.2f} (target <= {args.memory_target:.2f}) {verdict}"
        )
    if customers:
        print(f"{'customers':>10} {'API p/s':>8} {'direct p/s':>11} {'ratio':>6}")
        for r in customers:
            print(
                f"{r['customers']:>10,} {r['api']:>8.2f} {r['baseline']:>11.2f} {r['ratio']:>6.2f}"
            )
        xs = [r["customers"] for r in customers]
        print(
            f"slope (log-log): API pages/s {slope(xs, [r['api'] for r in customers]):+.3f}, "
            f"direct {slope(xs, [r['baseline'] for r in customers]):+.3f}, ratio "
            f"{slope(xs, [r['ratio'] for r in customers]):+.3f}"
        )
    if args.png:
        png = Path(args.png).resolve()
        # The points are kept next to the plot, so a run of one curve (--skip) redraws
        # the other from its last run.
        points = png.with_suffix(".json")
        points.parent.mkdir(parents=True, exist_ok=True)
        kept = json.loads(points.read_text()) if points.is_file() else {}
        kept = {
            "export": exports or kept.get("export", []),
            "customers": customers or kept.get("customers", []),
        }
        points.write_text(json.dumps(kept, indent=1) + "\n")
        plot(png, kept["export"], kept["customers"])
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
