"""The demo data as a snapshot: built once through the real code, then restored in batches.

Seeding the demo through the product's own code (bill runs, roll-ups, assignments …)
costs tens of seconds against the embedded AWS, and gives the same items every time for
the same code and the same Beijing day (the roll-up backfills up to yesterday). So the
first `partner-center dev` of a day seeds as before and then saves every table's items,
by the template's logical output name (physical names change with every stack), to
`~/.cache/partner-center/demo-<key>.json.gz`; later starts write those items back with
BatchWriteItem, several requests in flight. The key hashes the product's code (all but
the command line and the GraphQL layer, which write no demo data), the infrastructure
template and the Beijing date, so a change to any of them rebuilds it;
`partner-center dev --fresh-demo` rebuilds it on demand.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from partner_center.core.clock import beijing_date, utcnow

FORMAT = 1
BATCH = 25  # BatchWriteItem's limit
_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    lines: int
    items: int
    restored: bool  # from a snapshot (else seeded through the code, and saved)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "partner-center"


# What cannot change the stored items: the command line and the GraphQL layer.
_NOT_DATA = ("partner_center/cli/", "partner_center/api/")


def snapshot_key() -> str:
    """Changes with the code that writes the data, the template and the Beijing day."""
    digest = hashlib.sha256(f"{FORMAT}:{beijing_date(utcnow()).isoformat()}".encode())
    code = [path for path in sorted((_ROOT / "partner_center").rglob("*.py"))
            if not path.relative_to(_ROOT).as_posix().startswith(_NOT_DATA)]
    sources = [*code, _ROOT / "infra" / "resources.yml"]
    for path in sources:
        digest.update(str(path.relative_to(_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def snapshot_path() -> Path:
    return cache_dir() / f"demo-{snapshot_key()}.json.gz"


def _tables(outputs: dict[str, str]) -> dict[str, str]:
    return {key: name for key, name in outputs.items() if key.endswith("TableName")}


def _client(endpoint_url: str, region: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)


def capture(endpoint_url: str, region: str, outputs: dict[str, str]) -> dict[str, list[Any]]:
    """Every item of every table of the stack, in DynamoDB JSON, by output name."""
    client = _client(endpoint_url, region)

    def scan(name: str) -> list[Any]:
        items: list[Any] = []
        for page in client.get_paginator("scan").paginate(TableName=name):
            items += page["Items"]
        return items

    tables = _tables(outputs)
    with ThreadPoolExecutor(max_workers=4) as pool:
        scanned = dict(zip(tables, pool.map(scan, tables.values()), strict=True))
    return {key: items for key, items in scanned.items() if items}


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):  # binary attributes (B, BS)
        return {"$b64": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot snapshot a {type(value).__name__}")


def _decode(value: dict[str, Any]) -> Any:
    return base64.b64decode(value["$b64"]) if value.keys() == {"$b64"} else value


def save(path: Path, tables: dict[str, list[Any]], customers: int, lines: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"format": FORMAT, "customers": customers, "lines": lines, "tables": tables}
    partial = path.parent / f".{path.name}.{os.getpid()}"
    try:
        with gzip.open(partial, "wt", encoding="utf-8", compresslevel=3) as out:
            json.dump(body, out, ensure_ascii=False, separators=(",", ":"), default=_encode)
        partial.replace(path)  # a reader never sees half a snapshot
    finally:
        partial.unlink(missing_ok=True)
    for old in path.parent.glob("demo-*.json.gz"):
        if old != path:
            old.unlink(missing_ok=True)


def read(path: Path) -> dict[str, Any] | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            body: dict[str, Any] = json.load(source, object_hook=_decode)
    except (OSError, ValueError, EOFError):
        return None  # missing or damaged: seed again
    return body if body.get("format") == FORMAT else None


def _batches(tables: dict[str, list[Any]], names: dict[str, str]
             ) -> Iterator[tuple[str, list[Any]]]:
    for key, items in tables.items():
        for start in range(0, len(items), BATCH):
            yield names[key], items[start:start + BATCH]


def restore(endpoint_url: str, region: str, outputs: dict[str, str],
            tables: dict[str, list[Any]]) -> int:
    """Write the snapshot's items into the stack's (empty) tables; the item count."""
    names = _tables(outputs)
    missing = set(tables) - set(names)
    if missing:
        raise KeyError(f"the snapshot names tables the stack lacks: {sorted(missing)}")
    client = _client(endpoint_url, region)

    def write(batch: tuple[str, list[Any]]) -> int:
        name, items = batch
        requests: dict[str, list[Any]] = {name: [{"PutRequest": {"Item": i}} for i in items]}
        while requests:
            requests = client.batch_write_item(RequestItems=requests).get(
                "UnprocessedItems") or {}
        return len(items)

    # The embedded DynamoDB handles one request at a time; a few in flight keep it busy
    # while this side encodes the next ones.
    with ThreadPoolExecutor(max_workers=4) as pool:
        return sum(pool.map(write, _batches(tables, names)))


def load_demo(endpoint_url: str, region: str, outputs: dict[str, str], *,
              fresh: bool = False) -> DemoSummary:
    """The demo data in the stack: from today's snapshot when there is one (and not
    `fresh`), else seeded through the code and saved for the next start."""
    from partner_center.local import demo_data

    path = snapshot_path()
    body = None if fresh else read(path)
    if body is not None:
        count = restore(endpoint_url, region, outputs, body["tables"])
        return DemoSummary(body["customers"], body["lines"], count, restored=True)
    data = demo_data.load()
    tables = capture(endpoint_url, region, outputs)
    with contextlib.suppress(OSError):  # a read-only home: every start seeds
        save(path, tables, len(data.customers), len(data.lines))
    return DemoSummary(len(data.customers), len(data.lines),
                       sum(len(items) for items in tables.values()), restored=False)
