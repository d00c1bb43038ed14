"""The demo snapshot: tables saved and loaded inside the embedded AWS read back over HTTP
exactly as they were written, and a snapshot of an earlier day is brought to today's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from partner_center.consumption.models import RollupItem
from partner_center.consumption.rollup import backfill
from partner_center.core.clock import utcnow
from partner_center.local import demo_snapshot, moto_state
from partner_center.local.aws_server import EmbeddedAws
from partner_center.local.demo import customers as customers_demo
from partner_center.local.environment import LocalEnvironment

KEY = "0123456789abcdef"
REGION = "us-east-1"

# Every attribute type, nested both ways (binary ones too), on both key shapes.
ITEMS = {
    "Pairs": [
        {
            "pk": {"S": f"p{n % 3}"},
            "sk": {"S": f"s{n:03d}"},
            "gsi": {"S": f"g{n % 2}"},
            "n": {"N": f"{n}.50"},
            "b": {"B": bytes([0, n, 255])},
            "ss": {"SS": ["a", f"b{n}"]},
            "ns": {"NS": ["1", "2.5"]},
            "bs": {"BS": [b"x", b"\xff"]},
            "yes": {"BOOL": True},
            "null": {"NULL": True},
            "list": {"L": [{"S": "中文"}, {"N": "1"}, {"M": {"deep": {"BOOL": False}}}]},
            "map": {"M": {"inner": {"L": [{"B": b"\x02"}]}, "none": {"M": {}}}},
        }
        for n in range(40)
    ],
    "Singles": [{"id": {"S": f"i{n}"}, "text": {"S": "x" * n}} for n in range(5)],
}


def _create(client: Any, suffix: str) -> dict[str, str]:
    client.create_table(
        TableName=f"pairs-{suffix}",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_gsi",
                "KeySchema": [
                    {"AttributeName": "gsi", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    client.create_table(
        TableName=f"singles-{suffix}",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return {"Pairs": f"pairs-{suffix}", "Singles": f"singles-{suffix}"}


def _everything(client: Any, names: dict[str, str]) -> dict[str, Any]:
    pairs, singles = names["Pairs"], names["Singles"]
    return {
        "scans": {
            label: sorted(
                client.scan(TableName=name)["Items"], key=lambda i: repr(sorted(i.items()))
            )
            for label, name in names.items()
        },
        "query": client.query(
            TableName=pairs,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p1"}},
        )["Items"],
        "index": client.query(
            TableName=pairs,
            IndexName="by_gsi",
            KeyConditionExpression="gsi = :g",
            ExpressionAttributeValues={":g": {"S": "g0"}},
        )["Items"],
        "get": client.get_item(TableName=singles, Key={"id": {"S": "i3"}})["Item"],
        "count": client.describe_table(TableName=pairs)["Table"]["ItemCount"],
    }


@pytest.fixture
def two_servers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the servers' cache directory
    servers = [EmbeddedAws().start(), EmbeddedAws().start()]
    try:
        yield [
            boto3.client(
                "dynamodb",
                endpoint_url=s.endpoint_url,
                region_name=REGION,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
            for s in servers
        ]
    finally:
        for server in servers:
            server.stop()


def _call(client: Any, action: str, **request: Any) -> dict[str, Any]:
    return demo_snapshot._state(
        client.meta.endpoint_url, action, {"key": KEY, "region": REGION, **request}
    )


def test_tables_loaded_in_the_server_read_back_as_they_were_written(
    two_servers: list[Any], tmp_path: Path
) -> None:
    first, second = two_servers
    written = _create(first, "a")
    for label, items in ITEMS.items():
        for item in items:
            first.put_item(TableName=written[label], Item=item)
    expected = _everything(first, written)
    saved = _call(first, "save", tables=written, meta={"customers": 3})
    assert saved == {"items": 45}
    assert (tmp_path / "partner-center" / f"demo-{KEY}.pickle").is_file()

    # Another stack: the same tables under other names, read over HTTP.
    loaded_names = _create(second, "b")
    loaded = _call(second, "load", tables=loaded_names)
    assert loaded == {"items": 45, "meta": {"customers": 3}}
    assert _everything(second, loaded_names) == expected

    # The loaded items are moto's own: conditional writes and updates work on them.
    second.update_item(
        TableName=loaded_names["Singles"],
        Key={"id": {"S": "i3"}},
        UpdateExpression="SET #t = :t",
        ConditionExpression="attribute_exists(id)",
        ExpressionAttributeNames={"#t": "text"},
        ExpressionAttributeValues={":t": {"S": "changed"}},
    )
    got = second.get_item(TableName=loaded_names["Singles"], Key={"id": {"S": "i3"}})
    assert got["Item"]["text"] == {"S": "changed"}


def test_a_load_that_does_not_fit_is_refused_and_changes_nothing(
    two_servers: list[Any],
) -> None:
    first, second = two_servers
    names = _create(first, "a")
    first.put_item(TableName=names["Singles"], Item=ITEMS["Singles"][0])
    with pytest.raises(demo_snapshot.SnapshotUnavailable, match="404"):
        _call(first, "load", tables=names)  # nothing saved yet: the caller seeds
    _call(first, "save", tables=names, meta={})
    with pytest.raises(demo_snapshot.SnapshotUnavailable, match="not empty"):
        _call(first, "load", tables=names)
    with pytest.raises(demo_snapshot.SnapshotUnavailable, match="other tables"):
        _call(second, "load", tables={"Pairs": _create(second, "b")["Pairs"]})
    with pytest.raises(demo_snapshot.SnapshotUnavailable, match="no such tables"):
        _call(second, "load", tables={"Pairs": "missing", "Singles": "missing-too"})
    assert second.scan(TableName="pairs-b")["Items"] == []


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABCDEF0123456789", "12", 7])
def test_the_server_reads_no_file_a_request_names(two_servers: list[Any], key: Any) -> None:
    with pytest.raises(demo_snapshot.SnapshotUnavailable, match="400"):
        demo_snapshot._state(
            two_servers[0].meta.endpoint_url,
            "load",
            {"key": key, "region": REGION, "tables": {}},
        )


def test_a_damaged_snapshot_is_refused_so_the_demo_is_seeded(two_servers: list[Any]) -> None:
    names = _create(two_servers[0], "a")
    path = moto_state.cache_dir() / f"demo-{KEY}.pickle"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"damaged")
    with pytest.raises(demo_snapshot.SnapshotUnavailable, match="damaged"):
        _call(two_servers[0], "load", tables=names)


def test_the_route_is_the_servers() -> None:
    assert demo_snapshot.ROUTE == moto_state.ROUTE


def test_the_key_follows_moto_and_not_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    key = demo_snapshot.snapshot_key()
    monkeypatch.setattr(demo_snapshot, "utcnow", lambda: utcnow() + timedelta(days=3))
    assert demo_snapshot.snapshot_key() == key
    real = demo_snapshot.metadata.version
    monkeypatch.setattr(
        demo_snapshot.metadata, "version", lambda name: "0.0" if name == "moto" else real(name)
    )
    assert demo_snapshot.snapshot_key() != key


def _partner_items(partner_id: str) -> dict[str, dict[str, Any]]:
    return {
        item.rollup_key: {
            k: v for k, v in item.attribute_values.items() if k not in ("partner_id", "updated_at")
        }
        for item in RollupItem.query(partner_id)
    }


def test_a_snapshot_of_an_earlier_day_is_rolled_up_to_today(local_env: LocalEnvironment) -> None:
    now = utcnow()
    seeded_at = now - timedelta(days=9)
    snapshot, today = (f"ptn-catch-up-{uuid.uuid4().hex[:8]}" for _ in range(2))
    first = customers_demo.demo_data.FIRST_DAY
    # As the customers' seeder leaves the roll-up on the day the snapshot was made ...
    backfill(snapshot, first, customers_demo.rolled_through(seeded_at), now=seeded_at, lines=[])
    customers_demo.catch_up(seeded_at, now, partners=[snapshot])
    # ... and brought to today: as a seeding today leaves it.
    backfill(today, first, customers_demo.rolled_through(now), now=now, lines=[])
    caught_up = _partner_items(snapshot)
    assert caught_up == _partner_items(today)
    days = sum(len(item["rolled"]) for item in caught_up.values())
    assert days == (customers_demo.rolled_through(now) - first).days + 1
