"""Money never passes through float in the billing code (a lint that reads the source).

Every module of `partner_center/bills` and `partner_center/finance`, and the API types
that show their amounts, is parsed; none may hold a float literal, call `float()`, name
a NumPy float type, or use NumPy's float-returning statistics (percentile, quantile, mean, ...). The
95th percentile is an integer selection (`partition`) on integer kbps, and prices are
Decimal. The runtime guard is `bills.exact`: FloatOperation is trapped there.
(The bill export plans only format Decimals; their progress fraction, a float by the
export plan's contract, is no money, so they are not linted here.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BILLING_CODE = sorted(
    [
        *(ROOT / "partner_center" / "bills").glob("*.py"),
        *(ROOT / "partner_center" / "finance").glob("*.py"),
        ROOT / "partner_center" / "api" / "core" / "money.py",
        *(ROOT / "partner_center" / "api" / "bills").glob("*.py"),
        *(ROOT / "partner_center" / "api" / "finance").glob("*.py"),
    ]
)

FLOAT_NAMES = {
    "float",
    "float16",
    "float32",
    "float64",
    "float128",
    "double",
    "half",
    "single",
    "longdouble",
    "floating",
    "Float",
}
FLOAT_FUNCTIONS = {
    "percentile",
    "nanpercentile",
    "quantile",
    "nanquantile",
    "mean",
    "nanmean",
    "average",
    "median",
    "nanmedian",
    "std",
    "var",
    "true_divide",
    "fromhex",
    "isclose",
    "round",
}


def problems(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            found.append(f"{where}: float literal {node.value!r}")
        elif isinstance(node, ast.Name) and node.id in FLOAT_NAMES:
            found.append(f"{where}: {node.id}")
        elif isinstance(node, ast.Attribute) and (
            node.attr in FLOAT_NAMES or node.attr in FLOAT_FUNCTIONS
        ):
            found.append(f"{where}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("math", "statistics"):
            found.append(f"{where}: import from {node.module}")
        elif isinstance(node, ast.Import) and any(
            a.name in ("math", "statistics") for a in node.names
        ):
            found.append(f"{where}: import math/statistics")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "timestamp"
        ):
            found.append(f"{where}: .timestamp() is a float")
    return found


def test_the_lint_sees_the_billing_code() -> None:
    names = {p.name for p in BILLING_CODE}
    assert {"peak95.py", "rollup.py", "store.py", "agreements.py", "contracts.py"} <= names
    assert {"money.py", "types.py", "inputs.py"} <= names
    assert all(p.is_file() for p in BILLING_CODE), "a linted module was moved or renamed"


@pytest.mark.parametrize("path", BILLING_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_money_never_passes_through_float(path: Path) -> None:
    assert problems(path) == []


def test_the_lint_catches_floats(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import numpy as np\nx = 0.1\ny = float('1')\nz = np.percentile([1], 95)"
        "\nw = np.float64(1)\n",
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = problems(sample)
    finally:
        ROOT = saved
    assert len(found) == 4, found
