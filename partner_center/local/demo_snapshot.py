"""The demo data as a snapshot: seeded once through the real code, then loaded in the
embedded AWS's own process.

Seeding the demo through the product's own code (bill runs, roll-ups, assignments …)
costs tens of seconds against the embedded AWS and gives the same items every time for
the same code: every date in it is fixed, except the consumption roll-up, which holds
every closed day up to today. So the first `partner-center dev` seeds, then has the
embedded AWS save its tables' items (moto_state), by the template's logical output name
(physical names change with every stack), to `demo-<key>.pickle` in the cache
directory; later starts have it load them straight into the new stack's empty tables,
then roll up the days closed since the snapshot was made, as the daily schedule would
have. The key hashes the product's code (all but the command line and the GraphQL
layer, which write no demo data), the infrastructure template and the versions of moto
and Python (the file holds moto's objects), so a change to any of them seeds again;
`partner-center dev --fresh-demo` does it on demand.
"""

from __future__ import annotations

import hashlib
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from partner_center.core.clock import utcnow

FORMAT = 2
ROUTE = "/_partner-center/dynamodb-state/"  # moto_state.ROUTE, without importing moto
_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    lines: int
    items: int | None  # None: seeded, and the snapshot could not be saved to count them
    restored: bool  # from a snapshot (else seeded through the code, and saved)


# What cannot change the stored items: the command line and the GraphQL layer.
_NOT_DATA = ("partner_center/cli/", "partner_center/api/")


def snapshot_key() -> str:
    """Changes with the code that writes the data, the template, moto and Python."""
    versions = f"{FORMAT}:{metadata.version('moto')}:{sys.version_info[0]}.{sys.version_info[1]}"
    digest = hashlib.sha256(versions.encode())
    code = [
        path
        for path in sorted((_ROOT / "partner_center").rglob("*.py"))
        if not path.relative_to(_ROOT).as_posix().startswith(_NOT_DATA)
    ]
    for path in [*code, _ROOT / "infra" / "resources.yml"]:
        digest.update(str(path.relative_to(_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _tables(outputs: dict[str, str]) -> dict[str, str]:
    return {key: name for key, name in outputs.items() if key.endswith("TableName")}


class SnapshotUnavailable(Exception):
    """The embedded AWS has no usable snapshot under the key (or could not save one)."""


def _state(endpoint_url: str, action: str, request: dict[str, Any]) -> dict[str, Any]:
    call = urllib.request.Request(
        f"{endpoint_url}{ROUTE}{action}",
        data=json.dumps(request).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(call, timeout=120) as response:
            answer: dict[str, Any] = json.load(response)
    except urllib.error.HTTPError as refused:
        try:
            reason = json.loads(refused.read() or b"{}").get("error", refused.reason)
        except ValueError:  # not the route's answer (a server without it)
            reason = refused.reason
        raise SnapshotUnavailable(f"{refused.code}: {reason}") from refused
    return answer


def save(endpoint_url: str, region: str, outputs: dict[str, str], meta: dict[str, Any]) -> int:
    """Have the embedded AWS save the stack's tables under today's key; the item count."""
    request = {"key": snapshot_key(), "region": region, "tables": _tables(outputs), "meta": meta}
    return int(_state(endpoint_url, "save", request)["items"])


def restore(endpoint_url: str, region: str, outputs: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """Have the embedded AWS load the snapshot into the stack's (empty) tables: the item
    count and what was recorded with the snapshot."""
    request = {"key": snapshot_key(), "region": region, "tables": _tables(outputs)}
    answer = _state(endpoint_url, "load", request)
    return int(answer["items"]), answer["meta"]


def load_demo(
    endpoint_url: str, region: str, outputs: dict[str, str], *, fresh: bool = False
) -> DemoSummary:
    """The demo data in the stack: from the snapshot when there is one (and not `fresh`),
    else seeded through the code and saved for the next start."""
    from partner_center.local import demo_data
    from partner_center.local.demo import customers as customers_demo

    if not fresh:
        try:
            items, meta = restore(endpoint_url, region, outputs)
        except SnapshotUnavailable:
            pass  # none yet, or of another shape: seed
        else:
            customers_demo.catch_up(datetime.fromisoformat(meta["seeded_at"]), utcnow())
            return DemoSummary(meta["customers"], meta["lines"], items, restored=True)
    seeded_at = utcnow()
    data = demo_data.load()
    meta = {
        "customers": len(data.customers),
        "lines": len(data.lines),
        "seeded_at": seeded_at.isoformat(),
    }
    try:
        saved: int | None = save(endpoint_url, region, outputs, meta)
    except SnapshotUnavailable:  # a read-only or full cache: every start seeds
        saved = None
    return DemoSummary(len(data.customers), len(data.lines), saved, restored=False)
