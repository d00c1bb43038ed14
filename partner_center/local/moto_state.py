"""The embedded DynamoDB's tables saved to a file and loaded back, inside the server.

Writing ten thousand demo items back through BatchWriteItem costs the server seconds of
CPU (parsing each request, building each item); moto's own objects for a table's items,
pickled, load in a fraction of a second. Two routes of the embedded AWS do it:

- `POST /_partner-center/dynamodb-state/save` with `{"key", "region", "tables":
  {label: table name}, "meta": {...}}` pickles those tables' items with `meta`;
- `POST /_partner-center/dynamodb-state/load` with `{"key", "region", "tables"}` puts
  them back into the named tables (which must exist, with the same key schema, and be
  empty) and answers `{"items": n, "meta": {...}}`; 404 when there is no such file, 409
  when the tables do not fit it.

Each takes the locks of the tables it names, as a DynamoDB request does. A table's whole
state is its items (moto derives its indexes from them on every query, and the template
enables no streams), so every client reads the loaded items over HTTP exactly as it read
them before they were saved.

A pickle runs code when it is loaded, so no request names a file: the server reads and
writes only `demo-<key>.pickle` in the user's cache directory, `key` being hex digits.
The file depends on moto's classes: its key includes moto's version (demo_snapshot).
"""

from __future__ import annotations

import copyreg
import io
import json
import os
import pickle
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import LimitedSizeDict
from moto.dynamodb.models.table import Table

ROUTE = "/_partner-center/dynamodb-state/"
FORMAT = 1
_KEY = re.compile(r"[0-9a-f]{16,64}")


class StateError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "partner-center"


def state_file(key: str) -> Path:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise StateError("400 Bad Request", "the key is hex digits")
    return cache_dir() / f"demo-{key}.pickle"


def _attributes(values: dict[str, Any]) -> LimitedSizeDict:
    # dict's own update: the items were within the size limit when they were written.
    attributes = LimitedSizeDict()
    dict.update(attributes, values)
    return attributes


def _reduce_attributes(attributes: LimitedSizeDict) -> tuple[Any, ...]:
    # By default a dict subclass unpickles through its __setitem__, which re-sums the
    # item's size on every attribute.
    return _attributes, (dict(attributes),)


def _schema(table: Table) -> list[Any]:
    return [table.hash_key_attr, table.hash_key_type, table.range_key_attr, table.range_key_type]


def _tables(region: str, names: dict[str, str]) -> dict[str, Table]:
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    missing = sorted(name for name in names.values() if name not in backend.tables)
    if missing:
        raise StateError("409 Conflict", f"no such tables: {missing}")
    return {label: backend.tables[name] for label, name in names.items()}


def save(key: str, region: str, names: dict[str, str], meta: dict[str, Any]) -> int:
    path = state_file(key)
    tables = _tables(region, names)
    body = {
        "format": FORMAT,
        "meta": meta,
        "schemas": {label: _schema(t) for label, t in tables.items()},
        "items": {label: t.items for label, t in tables.items()},
    }
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, LimitedSizeDict: _reduce_attributes}
    pickler.dump(body)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.parent / f".{path.name}.{os.getpid()}"
    try:
        partial.write_bytes(buffer.getvalue())
        partial.replace(path)  # a reader never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    for old in path.parent.glob("demo-*"):
        if old != path:
            old.unlink(missing_ok=True)
    return sum(len(t) for t in tables.values())


def load(key: str, region: str, names: dict[str, str]) -> tuple[int, dict[str, Any]]:
    path = state_file(key)
    tables = _tables(region, names)
    try:
        body = pickle.loads(path.read_bytes())  # only the user's own cache (state_file)
    except FileNotFoundError as missing:
        raise StateError("404 Not Found", "no saved state under this key") from missing
    except Exception as damaged:  # a truncated or foreign file: seed again
        raise StateError("409 Conflict", f"the saved state is damaged: {damaged}") from damaged
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise StateError("409 Conflict", "the saved state has another format")
    if set(body["items"]) != set(tables):
        raise StateError("409 Conflict", "the saved state holds other tables")
    for label, table in tables.items():
        if body["schemas"][label] != _schema(table):
            raise StateError("409 Conflict", f"{label} has another key schema")
        if table.items:
            raise StateError("409 Conflict", f"{label} is not empty")
    for label, table in tables.items():
        table.items = body["items"][label]
    return sum(len(t) for t in tables.values()), body["meta"]


def handle(
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    lock_of: Callable[[str], threading.Lock],
) -> Iterable[bytes]:
    """One request to ROUTE: its answer as JSON."""
    action = environ.get("PATH_INFO", "")[len(ROUTE) :]
    try:
        if environ.get("REQUEST_METHOD") != "POST" or action not in ("save", "load"):
            raise StateError("404 Not Found", "POST save or load")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            key, region, names = request["key"], request["region"], request["tables"]
            if not (isinstance(names, dict) and isinstance(region, str)):
                raise TypeError("tables is an object, region a string")
        except (ValueError, KeyError, TypeError) as bad:
            raise StateError("400 Bad Request", f"a malformed request: {bad}") from bad
        locks = [lock_of(name) for name in sorted(set(names.values()))]
        for lock in locks:
            lock.acquire()
        try:
            if action == "save":
                answer: dict[str, Any] = {
                    "items": save(key, region, names, request.get("meta") or {})
                }
            else:
                count, meta = load(key, region, names)
                answer = {"items": count, "meta": meta}
        finally:
            for lock in reversed(locks):
                lock.release()
        status = "200 OK"
    except StateError as error:
        status, answer = error.status, {"error": str(error)}
    except OSError as error:  # a read-only or full cache directory
        status, answer = "507 Insufficient Storage", {"error": str(error)}
    payload = json.dumps(answer).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
