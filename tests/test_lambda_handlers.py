"""The cloud entry points work as Lambda would call them."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from partner_center.local.lambda_context import LocalContext
from tests.conftest import token


def http_api_event(
    method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload v2) event."""
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", **(headers or {})},
        "requestContext": {
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "test",
            },
            "requestId": "req-1",
            "stage": "$default",
            "accountId": "000000000000",
            "apiId": "api",
            "domainName": "example.test",
            "timeEpoch": 0,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def call_api(event: dict[str, Any]) -> dict[str, Any]:
    """Invoke the handler as Lambda does: on a thread with no running event loop."""
    from functions.api import handler

    def invoke() -> dict[str, Any]:
        asyncio.set_event_loop(asyncio.new_event_loop())
        return handler(event, LocalContext(function_name="api"))

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(invoke).result()


@pytest.fixture
def api_handler_ready(demo: Any) -> None:
    """The handler reads the tables the demo data is in."""


def test_api_handler_serves_healthz(api_handler_ready: None) -> None:
    response = call_api(http_api_event("GET", "/healthz"))
    assert response["statusCode"] == 200


def test_api_handler_answers_graphql(api_handler_ready: None) -> None:
    response = call_api(
        http_api_event(
            "POST",
            "/graphql",
            json.dumps({"query": "{ viewer { login } }"}),
            {"authorization": f"Bearer {token('sp-admin')}"},
        )
    )
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["data"] == {"viewer": {"login": "sp-admin"}}


def test_api_handler_refuses_anonymous_calls(api_handler_ready: None) -> None:
    response = call_api(
        http_api_event("POST", "/graphql", json.dumps({"query": "{ viewer { login } }"}))
    )
    assert response["statusCode"] == 401


def test_worker_handler_reports_partial_failures(demo: Any) -> None:
    from functions.export_worker import handler

    event = {
        "Records": [
            {
                "messageId": "m-1",
                "receiptHandle": "r",
                "body": "not json",
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q",
                "awsRegion": "us-east-1",
            }
        ]
    }
    result = asyncio.run(asyncio.to_thread(handler, event, LocalContext("exportWorker")))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
