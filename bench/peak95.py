"""95th-percentile billing speed: 10,000 resources × 8,928 samples (a 31-day month).

The billing computation (`peak95.window_peaks`, what bill generation calls, on the int64
`array` rows `bandwidth.month_batches` reads: gaps counted as 0, R13's rank from
floor(5 %), one value per resource) against R13 read literally in the same run and the
same Python: clear the gaps, sort the month high to low, take the billed rank. For
reference it also times NumPy's `np.partition` over the same samples (the selection the
product used before it dropped NumPy from the bill run's function), and checks every
result against it, untimed.

Samples are int64 kbps with about 1 % missing (-1), generated block by block (1,000
resources at a time, so the run holds ~140 MB rather than 1.4 GB); each block is timed
for all three, in rotating order, best of `--rounds`.

    python bench/peak95.py [--resources 10000] [--samples 8928] [--target 1.0]

Prints one line with the times and the ratio billing / literal; exits 1 if the ratio is
above target.
"""

from __future__ import annotations

import argparse
import sys
import time
from array import array
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from partner_center.bills.peak95 import SAMPLE_TYPECODE, billed_rank, window_peaks

BLOCK = 1000


def literal(rows: list[array[int]], rank: int) -> list[int]:
    """R13 as worded: every sample (gaps as 0) from high to low, the rank-th."""
    return [sorted((max(v, 0) for v in row), reverse=True)[rank - 1] for row in rows]


def numpy_partition(block: np.ndarray, kth: int) -> np.ndarray:
    return np.maximum(np.partition(block, kth, axis=1)[:, kth], 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=8928)
    parser.add_argument("--target", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    n = args.samples
    rank = billed_rank(n)
    kth = n - rank
    windows = [(0, n)] * BLOCK
    rng = np.random.default_rng(20261105)
    totals = [0.0, 0.0, 0.0]  # billing, literal, np.partition
    for start in range(0, args.resources, BLOCK):
        count = min(BLOCK, args.resources - start)
        block = rng.integers(0, 10_000_000, size=(count, n), dtype=np.int64)
        block[rng.random((count, n)) < 0.01] = -1  # monitoring gaps
        rows = []
        for values in block:
            row = array(SAMPLE_TYPECODE)
            row.frombytes(values.tobytes())
            rows.append(row)
        best = [float("inf")] * 3
        results: list[object] = [None] * 3
        for round_number in range(args.rounds):
            for step in range(3):
                which = (round_number + step) % 3
                began = time.perf_counter()
                if which == 0:
                    results[0] = window_peaks(rows, windows[:count])
                elif which == 1:
                    results[1] = literal(rows, rank)
                else:
                    results[2] = numpy_partition(block, kth)
                best[which] = min(best[which], time.perf_counter() - began)
        totals = [t + b for t, b in zip(totals, best, strict=True)]
        expected = [int(v) for v in results[2]]  # type: ignore[union-attr]
        if results[0] != expected or results[1] != expected:
            print("FAIL: the billing computation disagrees with R13 read literally or NumPy")
            return 1
    ours, base, partition = totals
    ratio = ours / base
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(
        f"peak95: {args.resources} resources x {n} samples: billing {ours:.3f} s, "
        f"R13 literally (sorted) {base:.3f} s, ratio {ratio:.2f} (target <= {args.target}) "
        f"{verdict}; np.partition {partition:.3f} s for reference "
        f"({ours / args.resources * 1000:.2f} ms per resource billed)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
