"""docs/operations.md lists every setting: a `PC_*` variable the code or the deployment
reads and the configuration table does not name fails here."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "operations.md"
# A full variable name; prefixes in prose (`PC_WEBHOOK_*`) end in `_` and are left out.
VARIABLE = re.compile(r"\bPC_[A-Z0-9_]*[A-Z0-9]\b")


def _read_by_the_product() -> set[str]:
    names: set[str] = set()
    for path in [
        *(ROOT / "partner_center").rglob("*.py"),
        *(ROOT / "functions").glob("*.py"),
        ROOT / "serverless.yml",
    ]:
        names |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_is_in_the_configuration_table() -> None:
    table = PAGE.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    listed = set(VARIABLE.findall(table))
    missing = sorted(_read_by_the_product() - listed)
    assert not missing, f"not in docs/operations.md's configuration table: {missing}"


def test_the_table_lists_no_variable_that_nothing_reads() -> None:
    table = PAGE.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    stale = sorted(set(VARIABLE.findall(table)) - _read_by_the_product())
    assert not stale, f"docs/operations.md lists variables nothing reads: {stale}"
