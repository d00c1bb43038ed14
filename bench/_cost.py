"""What a measured run would cost on AWS: request units from the requests it made.

Shared by the scripts in bench/. `Meter` counts the requests the product's botocore
clients send (pynamodb's DynamoDB clients, the aioboto3 S3/SQS clients of
`partner_center.storage.aws`) and the DynamoDB request units each one consumes on an
on-demand table, from the sizes of the items it wrote or got back:

- reads: 4 KB units per item (GetItem, BatchGetItem, TransactGetItems x2) or per
  request's summed items (Query, Scan); eventually consistent reads cost half. A Query
  is charged for the items it reads before a filter: the meter sees only those returned,
  so a filtered query costs more than it shows (the export benchmarks filter nothing).
- writes: 1 KB units of the item written (PutItem, BatchWriteItem); an UpdateItem or
  DeleteItem is charged on the larger of the item before and after, which the request
  does not show: counted as 1 unit (the job, budget and lead items are under 1 KB: the
  meter prints the largest item it saw); transactions cost twice.

Prices: AWS list prices for us-east-1 (N. Virginia), on-demand, as published since
November 2024 (no free tier, no reserved capacity, Standard table class, arm64 Lambda).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from decimal import Decimal
from typing import Any

REGION = "us-east-1"
PRICES = {  # US dollars
    "dynamodb_wru": 0.625 / 1e6,  # per write request unit
    "dynamodb_rru": 0.125 / 1e6,  # per read request unit
    "s3_put": 0.005 / 1e3,  # PUT, COPY, POST, LIST (CreateMultipartUpload, UploadPart, ...)
    "s3_get": 0.0004 / 1e3,  # GET, HEAD and the rest
    "sqs": 0.40 / 1e6,  # standard queue, per 64 KB request
    "lambda_gb_s": 0.0000133334,  # arm64, per GB-second
    "lambda_request": 0.20 / 1e6,
}
PRICE_NOTE = (
    f"AWS list prices, {REGION}, on-demand: DynamoDB $0.625 per million WRU, "
    "$0.125 per million RRU; S3 Standard $0.005 per 1,000 PUT-class, $0.0004 per "
    "1,000 GET-class requests; SQS $0.40 per million; Lambda arm64 $0.0000133334 "
    "per GB-s, $0.20 per million invocations"
)
S3_PUT_CLASS = {
    "PutObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "CopyObject",
    "ListObjectsV2",
    "ListObjects",
    "AbortMultipartUpload",
}
READS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


def attribute_size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (bytes), as its pricing page describes."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        digits = len(data.lstrip("-").replace(".", "").strip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(attribute_size({kind[0]: d}) for d in data)
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + attribute_size(v) for k, v in data.items())
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode("utf-8")) + attribute_size(v) for name, v in item.items())


class Meter:
    """Requests and DynamoDB units of every client it is attached to, while active."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.rru = Decimal(0)
        self.wru = Decimal(0)
        self.largest_item = 0
        self.read_bytes = 0
        self.read_items = 0

    # -- hooks -------------------------------------------------------------------------

    def _before(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.requests[f"{model.service_model.service_name}:{model.name}"] += 1

    def _params(
        self, params: dict[str, Any], context: dict[str, Any], model: Any, **_: Any
    ) -> None:
        if model.service_model.service_name != "dynamodb":
            return
        context["bench_consistent"] = _consistent(model.name, params)
        if model.name not in READS:
            with self._lock:
                self.wru += self._write_units(model.name, params)

    def _after_call(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        if model.service_model.service_name != "dynamodb" or model.name not in READS:
            return
        units = self._read_units(model.name, parsed, context.get("bench_consistent", False))
        with self._lock:
            self.rru += units

    # -- units -------------------------------------------------------------------------

    def _seen(self, item: dict[str, Any]) -> int:
        size = item_size(item)
        self.largest_item = max(self.largest_item, size)
        return size

    def _write_units(self, name: str, params: dict[str, Any]) -> Decimal:
        if name == "PutItem":
            return Decimal(max(1, math.ceil(self._seen(params["Item"]) / 1024)))
        if name in ("UpdateItem", "DeleteItem"):
            return Decimal(1)
        if name == "BatchWriteItem":
            total = 0
            for requests in params.get("RequestItems", {}).values():
                for request in requests:
                    put = request.get("PutRequest")
                    total += max(1, math.ceil(self._seen(put["Item"]) / 1024)) if put else 1
            return Decimal(total)
        if name == "TransactWriteItems":
            total = 0
            for action in params.get("TransactItems", []):
                put = action.get("Put")
                total += max(1, math.ceil(self._seen(put["Item"]) / 1024)) if put else 1
            return Decimal(2 * total)
        return Decimal(0)

    def _read_units(self, name: str, parsed: dict[str, Any], consistent: bool) -> Decimal:
        factor = Decimal(1) if consistent else Decimal("0.5")
        if name in ("Query", "Scan"):
            sizes = [item_size(i) for i in parsed.get("Items", [])]
            self.read_bytes += sum(sizes)
            self.read_items += len(sizes)
            return max(1, math.ceil(sum(sizes) / 4096)) * factor
        if name == "GetItem":
            size = item_size(parsed.get("Item", {}))
            return max(1, math.ceil(size / 4096)) * factor
        if name == "BatchGetItem":
            units = 0
            for items in parsed.get("Responses", {}).values():
                units += sum(max(1, math.ceil(item_size(i) / 4096)) for i in items)
            return units * factor
        if name == "TransactGetItems":
            return Decimal(
                2
                * sum(
                    max(1, math.ceil(item_size(r.get("Item", {})) / 4096))
                    for r in parsed.get("Responses", [])
                )
            )
        return Decimal(0)

    # -- attaching ---------------------------------------------------------------------

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call", self._before)
        client.meta.events.register("before-parameter-build", self._params)
        client.meta.events.register("after-call", self._after_call)

    def detach(self, client: Any) -> None:
        client.meta.events.unregister("before-call", self._before)
        client.meta.events.unregister("before-parameter-build", self._params)
        client.meta.events.unregister("after-call", self._after_call)

    @contextmanager
    def product(self) -> Iterator[Meter]:
        """Attached to every pynamodb model's client and to each aioboto3 client the
        product opens meanwhile."""
        from partner_center.storage import aws
        from partner_center.storage.registry import registered
        from partner_center.storage.transactions import transaction_connection

        models = list(registered())
        clients = {
            id(c): c
            for c in [m._get_connection().connection.client for m in models]
            # Transactions go through a connection of their own (storage/transactions.py).
            + [transaction_connection(m).client for m in models]
        }
        for client in clients.values():
            self.attach(client)
        opened = aws.client
        meter = self

        @asynccontextmanager
        async def counted(service: str) -> Any:
            async with opened(service) as client:
                meter.attach(client)
                yield client

        aws.client = counted  # type: ignore[assignment]
        try:
            yield self
        finally:
            aws.client = opened  # type: ignore[assignment]
            for client in clients.values():
                self.detach(client)

    # -- report ------------------------------------------------------------------------

    def s3_requests(self) -> tuple[int, int]:
        put = sum(
            n for k, n in self.requests.items() if k.startswith("s3:") and k[3:] in S3_PUT_CLASS
        )
        get = sum(n for k, n in self.requests.items() if k.startswith("s3:")) - put
        return put, get

    def cost_lines(
        self, unit: str, scale: float, lambda_seconds: float, memory_mb: int
    ) -> list[str]:
        """The run's figures times `scale`, e.g. 100,000 / rows exported."""
        put, get = self.s3_requests()
        sqs = sum(n for k, n in self.requests.items() if k.startswith("sqs:"))
        gb_s = lambda_seconds * memory_mb / 1024
        parts = {
            "DynamoDB RRU": (float(self.rru) * scale, PRICES["dynamodb_rru"]),
            "DynamoDB WRU": (float(self.wru) * scale, PRICES["dynamodb_wru"]),
            "S3 PUT-class requests": (put * scale, PRICES["s3_put"]),
            "S3 GET-class requests": (get * scale, PRICES["s3_get"]),
            "SQS requests": (sqs * scale, PRICES["sqs"]),
            f"Lambda GB-s ({memory_mb} MB x {lambda_seconds * scale:.1f} s)": (
                gb_s * scale,
                PRICES["lambda_gb_s"],
            ),
        }
        dynamo = ", ".join(
            f"{n} {k.split(':', 1)[1]}"
            for k, n in sorted(self.requests.items())
            if k.startswith("dynamodb:")
        )
        lines = [
            f"requests counted: {sum(self.requests.values())} ({dynamo}; S3 {put} PUT, "
            f"{get} GET; SQS {sqs}); largest item written {self.largest_item} B"
            + (
                f", items read {self.read_bytes / max(self.read_items, 1):.0f} B on average"
                if self.read_items
                else ""
            )
        ]
        total = 0.0
        for name, (amount, price) in parts.items():
            total += amount * price
            lines.append(f"  {name:<44} {amount:>12,.1f}  ${amount * price:.6f}")
        lines.append(f"COST per {unit}: ${total:.4f} ({PRICE_NOTE})")
        return lines


def _consistent(name: str, params: dict[str, Any]) -> bool:
    if name == "BatchGetItem":
        return any(spec.get("ConsistentRead") for spec in params.get("RequestItems", {}).values())
    return bool(params.get("ConsistentRead"))


def memory_mb(function: str) -> int:
    """The function's memorySize in serverless.yml (the provider's default otherwise)."""
    from pathlib import Path

    from partner_center.local.infra import load_cfn_yaml

    config = load_cfn_yaml((Path(__file__).resolve().parents[1] / "serverless.yml").read_text())
    declared = config.get("functions", {}).get(function, {}).get("memorySize")
    return int(declared or config.get("provider", {}).get("memorySize") or 1024)
