"""Shared fixtures: one embedded AWS (moto server over HTTP) for the whole run.

Tests talk to the real API app in process (httpx over ASGI) and run the real worker
handlers through the same local SQS poller that `partner-center dev` uses.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import httpx
import pytest

# Faults and settings are read from the environment: start from a clean slate.
os.environ.pop("PC_FAULTS", None)
os.environ["PC_ENV"] = "development"

from partner_center.config import get_settings
from partner_center.core.auth import issue_token
from partner_center.local import demo_data
from partner_center.local.environment import LocalEnvironment, start_environment
from partner_center.local.functions import queue_functions
from partner_center.local.sqs_poller import PollResult, QueuePoller

VISIBILITY_SECONDS = 4
LEASE_SECONDS = 3


@pytest.fixture(scope="session")
def local_env() -> Iterator[LocalEnvironment]:
    environment = start_environment(
        visibility_seconds=VISIBILITY_SECONDS, lease_seconds=LEASE_SECONDS
    )
    try:
        yield environment
    finally:
        environment.stop()


@pytest.fixture(scope="session")
def demo(local_env: LocalEnvironment) -> demo_data.DemoData:
    return demo_data.load()


@pytest.fixture(scope="session")
def sqs(local_env: LocalEnvironment) -> Any:
    return boto3.client("sqs", endpoint_url=local_env.aws.endpoint_url, region_name="us-east-1")


@pytest.fixture(scope="session")
def s3(local_env: LocalEnvironment) -> Any:
    return boto3.client("s3", endpoint_url=local_env.aws.endpoint_url, region_name="us-east-1")


def token(login: str) -> str:
    return issue_token(demo_data.principal(login), get_settings())


class Api:
    """GraphQL over the real ASGI app, as a given demo user."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(
        self, login: str | None, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> httpx.Response:
        if login is not None:
            headers["authorization"] = f"Bearer {token(login)}"
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def gql(
        self, login: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self.post(login, query, variables)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
async def api(demo: demo_data.DemoData) -> AsyncIterator[Api]:
    from partner_center.api.app import create_app

    transport = httpx.ASGITransport(app=create_app(get_settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client)


class Workers:
    """Drives the queue-triggered functions the way the event source mapping would."""

    def __init__(self, env: LocalEnvironment, sqs: Any) -> None:
        self.env, self.sqs = env, sqs
        self.functions = {f.name: f for f in queue_functions()}

    def poller(self, name: str, batch_size: int | None = None) -> QueuePoller:
        function = self.functions[name]
        return QueuePoller(
            self.sqs,
            function.queue_url(self.env.outputs),
            function.load_handler(),
            function_name=name,
            batch_size=batch_size or function.batch_size,
            wait_seconds=0,
        )

    async def poll(self, name: str = "exportWorker", batch_size: int | None = None) -> PollResult:
        return await asyncio.to_thread(self.poller(name, batch_size).poll_once)

    async def drain(self, name: str = "exportWorker", rounds: int = 20) -> int:
        """Poll until a receive comes back empty; returns messages handled."""
        handled = 0
        for _ in range(rounds):
            result = await self.poll(name)
            if result.received == 0:
                return handled
            handled += result.received
        return handled


@pytest.fixture(scope="session")
def workers(local_env: LocalEnvironment, sqs: Any) -> Workers:
    return Workers(local_env, sqs)
