"""A page of 100 customers with their nested fields: the API's requests per second against
the embedded AWS, at least 0.8x a plain script making the same DynamoDB reads directly.

The API runs in this process (the real ASGI app through httpx, bearer token, strawberry,
DataLoaders, pynamodb); the baseline is boto3 making the reads the page needs, one after
another: the customers query, one BatchGetItem of the managers, one BatchGetItem of the
customers' month roll-ups and one GetItem of the partner's. Both talk HTTP to the same
moto server with the demo data; rounds alternate so machine load hits both alike. The
two answers are checked to be the same customers with the same amounts.

    python bench/customers_page.py [--rounds 6] [--per-round 10] [--target 0.8]
                                   [--latency-ms 0]

The DynamoDB requests of one page are counted on each side (botocore's event hooks) and
printed next to the ratio: the API's include the query budget's take and give-back
(api/cost.py), which the baseline does not make. So is this process's CPU per page on
each side (its threads included; the embedded AWS is another process). `--latency-ms N`
starts the embedded AWS with its latency model (every DynamoDB request waits N ms,
outside the table locks).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

# The checkout this file is in, before any installed copy of the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
import httpx

from partner_center.config import get_settings
from partner_center.core.auth import issue_token
from partner_center.core.money import format_amount
from partner_center.local import demo_data
from partner_center.local.environment import start_environment
from partner_center.local.moto_server import LATENCY_ENV

PARTNER = "ptn-sp-001"
MONTH = "2026-09"
QUERY = """query($month: String) { customers(first: 100) { edges { node {
  id name accountName association createdAt assignedAt openAlertCount
  manager { id login displayName }
  monthConsumption(month: $month) { status amount { amount currency } throughDate }
} } pageInfo { hasNextPage endCursor } } }"""


def baseline_page(dynamodb: Any, tables: dict[str, str]) -> dict[str, str]:
    """The same reads, straight from boto3: customer ID -> month amount."""
    customers = dynamodb.query(
        TableName=tables["customers"],
        KeyConditionExpression="partner_id = :p",
        ExpressionAttributeValues={":p": {"S": PARTNER}},
        Limit=101,
    )["Items"][:100]
    managers = sorted({c["manager_id"]["S"] for c in customers if "manager_id" in c})
    if managers:
        dynamodb.batch_get_item(
            RequestItems={
                tables["directory"]: {
                    "Keys": [
                        {"partner_id": {"S": PARTNER}, "entity": {"S": f"USER#{m}"}}
                        for m in managers
                    ]
                }
            }
        )
    ids = [c["customer_id"]["S"] for c in customers]
    rollups = dynamodb.batch_get_item(
        RequestItems={
            tables["consumption_rollups"]: {
                "Keys": [
                    {"partner_id": {"S": PARTNER}, "rollup_key": {"S": f"M#{MONTH}#C#{i}"}}
                    for i in ids
                ]
            }
        }
    )["Responses"][tables["consumption_rollups"]]
    dynamodb.get_item(
        TableName=tables["consumption_rollups"],
        Key={"partner_id": {"S": PARTNER}, "rollup_key": {"S": f"M#{MONTH}#ALL"}},
    )
    amounts = {i: Decimal("0") for i in ids}
    for item in rollups:
        amounts[item["customer_id"]["S"]] = sum(
            (Decimal(v["N"]) for k, v in item.items() if k.startswith("d")), Decimal("0")
        )
    return {i: format_amount(a) for i, a in amounts.items()}


async def api_page(client: httpx.AsyncClient, token: str) -> dict[str, str]:
    response = await client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"month": MONTH}},
        headers={"authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    from strawberry.relay import GlobalID

    return {
        GlobalID.from_id(e["node"]["id"]).node_id: e["node"]["monthConsumption"]["amount"]["amount"]
        for e in body["data"]["customers"]["edges"]
    }


class Requests:
    """DynamoDB requests sent through the given botocore clients, by operation."""

    def __init__(self, clients: list[Any]) -> None:
        self.clients = {id(c): c for c in clients}
        self.calls: dict[str, int] = {}

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] = self.calls.get(model.name, 0) + 1

    def __enter__(self) -> Requests:
        for client in self.clients.values():
            client.meta.events.register("before-call.dynamodb", self._count)
        return self

    def __exit__(self, *exc: Any) -> None:
        for client in self.clients.values():
            client.meta.events.unregister("before-call.dynamodb", self._count)

    def line(self) -> str:
        return (
            f"{sum(self.calls.values())} ("
            + ", ".join(f"{n} {op}" for op, n in sorted(self.calls.items()))
            + ")"
        )


COUNTED: dict[str, Requests] = {}
# Seconds of this process's CPU (all its threads; the embedded AWS is another process).
CPU = {"api": 0.0, "baseline": 0.0}


async def measure(args: argparse.Namespace) -> tuple[list[float], list[float]]:
    from partner_center.api.app import create_app

    settings = get_settings()
    tables = {key: settings.table(key) for key in ("customers", "directory", "consumption_rollups")}
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=settings.aws_endpoint_url, region_name=settings.region
    )
    token = issue_token(demo_data.principal("sp-admin"), settings)
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        # Unmeasured: connections, botocore models, strawberry's schema caches.
        reference = baseline_page(dynamodb, tables)
        for _ in range(3):
            assert await api_page(client, token) == reference, "the two answers differ"
            baseline_page(dynamodb, tables)
        from partner_center.storage.registry import registered

        with Requests([m._get_connection().connection.client for m in registered()]) as api:
            await api_page(client, token)
        with Requests([dynamodb]) as base:
            baseline_page(dynamodb, tables)
        COUNTED.update(api=api, baseline=base)
        api_rates, base_rates = [], []
        for _ in range(args.rounds):
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.per_round):
                baseline_page(dynamodb, tables)
            base_rates.append(args.per_round / (time.perf_counter() - started))
            CPU["baseline"] += time.process_time() - cpu
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.per_round):
                await api_page(client, token)
            api_rates.append(args.per_round / (time.perf_counter() - started))
            CPU["api"] += time.process_time() - cpu
    return api_rates, base_rates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument(
        "--target",
        type=float,
        default=0.8,
        help="lowest passing API / baseline ratio of requests per second",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="the embedded AWS's per-request DynamoDB latency (0: none)",
    )
    args = parser.parse_args()
    os.environ[LATENCY_ENV] = str(args.latency_ms)
    environment = start_environment()
    try:
        data = demo_data.load()
        api_rates, base_rates = asyncio.run(measure(args))
    finally:
        environment.stop()
    print(
        f"demo data: {len(data.customers)} customers; page of 100 with manager, "
        f"openAlertCount and monthConsumption; {args.rounds} alternating rounds of "
        f"{args.per_round} requests"
    )
    print(f"latency model: {args.latency_ms:g} ms per DynamoDB request")
    print(
        f"DynamoDB requests per page: API {COUNTED['api'].line()}; "
        f"baseline {COUNTED['baseline'].line()}"
    )
    pages = args.rounds * args.per_round
    print(
        f"this process's CPU per page: API {CPU['api'] / pages * 1000:.1f} ms, "
        f"baseline {CPU['baseline'] / pages * 1000:.1f} ms"
    )
    print("baseline req/s per round: " + " ".join(f"{r:.1f}" for r in base_rates))
    print("API      req/s per round: " + " ".join(f"{r:.1f}" for r in api_rates))
    # Each round pairs the two under the same load; the median of the pairs' ratios.
    ratio = statistics.median(a / b for a, b in zip(api_rates, base_rates, strict=True))
    api, base = statistics.median(api_rates), statistics.median(base_rates)
    verdict = "PASS" if ratio >= args.target else "FAIL"
    print(
        f"RATIO API {api:.1f} req/s / baseline {base:.1f} req/s = {ratio:.2f} "
        f"(median of the rounds' ratios; target >= {args.target:.2f}) {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
