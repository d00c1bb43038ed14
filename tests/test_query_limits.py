"""Query limits and cost: bombs are refused before any DynamoDB call; budgets are per
partner and shared through DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pynamodb.connection import Connection

from partner_center.api import cost
from partner_center.config import get_settings
from partner_center.core.auth import AccountType, Principal, Role, issue_token
from partner_center.ratelimit.bucket import BudgetPolicy, refilled, retry_after
from partner_center.ratelimit.models import BudgetItem
from tests.conftest import Api, token

JOBS = (
    "query($n: Int) { jobs(first: $n) { edges { node { id status } } pageInfo { hasNextPage } } }"
)


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every DynamoDB operation pynamodb sends, by name."""
    calls: list[str] = []
    original = Connection.dispatch

    def counting(self: Connection, operation_name: str, operation_kwargs: Any) -> Any:
        calls.append(operation_name)
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", counting)
    yield calls


async def post(api: Api, query: str, login: str = "sp-admin", **extra: Any) -> Any:
    return await api.client.post(
        "/graphql",
        json={"query": query, **extra},
        headers={"authorization": f"Bearer {token(login)}"},
    )


async def test_depth_bomb_is_refused_without_dynamodb(
    api: Api, dynamodb_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from partner_center.api import schema as schema_module

    # Today's types nest only a few levels; the limiter must hold whatever they become.
    monkeypatch.setattr(schema_module, "MAX_DEPTH", 2)
    response = await post(api, "{ jobs { edges { node { requestedBy } } } }")
    assert "exceeds maximum operation depth" in response.text
    assert dynamodb_calls == []


async def test_alias_bomb_is_refused_without_dynamodb(api: Api, dynamodb_calls: list[str]) -> None:
    bomb = (
        "{ "
        + " ".join(f"a{i}: jobs(first: 100) {{ edges {{ cursor }} }}" for i in range(200))
        + " }"
    )
    response = await post(api, bomb)
    assert "aliases" in response.text.lower()
    assert dynamodb_calls == []


async def test_token_bomb_is_refused_without_dynamodb(api: Api, dynamodb_calls: list[str]) -> None:
    bomb = "{ viewer { " + "login " * 5000 + "} }"
    response = await post(api, bomb)
    assert "token" in response.text.lower()
    assert dynamodb_calls == []


async def test_one_megabyte_query_is_refused_without_dynamodb(
    api: Api, dynamodb_calls: list[str]
) -> None:
    response = await post(api, "{ viewer { login } }" + "#" * (1024 * 1024))
    assert response.status_code == 413
    assert dynamodb_calls == []


async def test_circular_fragments_are_refused_without_dynamodb(
    api: Api, dynamodb_calls: list[str]
) -> None:
    bomb = (
        "query { viewer { ...A } } fragment A on Viewer { login ...B } "
        "fragment B on Viewer { role ...A }"
    )
    response = await post(api, bomb)
    assert "cycle" in response.text.lower() or "spread" in response.text.lower()
    assert dynamodb_calls == []


def test_connections_multiply_the_cost_by_first() -> None:
    from graphql import parse

    from partner_center.api.schema import schema

    graphql_schema = schema._schema
    assert cost.requested_cost(graphql_schema, parse(JOBS), None, {"n": 50}) == 1 + 50 + 50 + 50
    assert cost.requested_cost(graphql_schema, parse("{ viewer { login } }"), None, {}) == 1


async def test_cost_is_reported_in_extensions(api: Api) -> None:
    response = await post(api, JOBS, variables={"n": 5})
    reported = response.json()["extensions"]["cost"]
    assert reported["requested"] == 1 + 5 + 5 + 5
    assert 1 <= reported["actual"] <= reported["requested"]
    assert 0 <= reported["remaining"] <= reported["capacity"]


async def test_a_query_over_the_cost_ceiling_is_refused(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cost, "MAX_QUERY_COST", 50)
    response = await post(api, JOBS, variables={"n": 100})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"


def tenant_token(partner_id: str) -> str:
    return issue_token(
        Principal(partner_id, "usr-x", "x", Role.ADMIN, AccountType.SOLUTION_PROVIDER),
        get_settings(),
    )


async def test_budget_exhausted_by_one_partner_does_not_throttle_another(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cost, "POLICY", BudgetPolicy(capacity=40, refill_per_second=1))
    greedy = {"authorization": f"Bearer {tenant_token('ptn-budget-greedy')}"}
    other = {"authorization": f"Bearer {tenant_token('ptn-budget-other')}"}
    body = {"query": JOBS, "variables": {"n": 10}}  # requested 31, actual 1 (no jobs)
    statuses = [
        (await api.client.post("/graphql", json=body, headers=greedy)).status_code for _ in range(3)
    ]
    # The unspent part is given back, so the greedy partner is only throttled once
    # what it actually used runs the bucket below the next request's upper bound.
    throttled = await api.client.post(
        "/graphql", json={"query": JOBS, "variables": {"n": 30}}, headers=greedy
    )
    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    error = throttled.json()["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    assert int(throttled.headers["retry-after"]) == error["extensions"]["retryAfterSeconds"] >= 1
    fine = await api.client.post("/graphql", json=body, headers=other)
    assert fine.status_code == 200 and "errors" not in fine.json()


async def test_unspent_points_are_written_with_the_next_take(
    api: Api, dynamodb_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No refill, so the stored balance is exactly what was charged and given back.
    monkeypatch.setattr(cost, "POLICY", BudgetPolicy(capacity=100, refill_per_second=0))
    headers = {"authorization": f"Bearer {tenant_token('ptn-budget-owed')}"}
    body = {"query": JOBS, "variables": {"n": 10}}  # no jobs: most points go unspent
    first = await api.client.post("/graphql", json=body, headers=headers)
    reported = first.json()["extensions"]["cost"]
    requested, actual = reported["requested"], reported["actual"]
    assert actual < requested
    # The give-back made no request of its own; the report counts it already.
    assert "UpdateItem" not in dynamodb_calls
    assert reported["remaining"] == 100 - actual
    assert int(BudgetItem.get("ptn-budget-owed", cost.BUCKET).tokens) == 100 - requested
    second = await api.client.post("/graphql", json=body, headers=headers)
    assert second.json()["extensions"]["cost"]["remaining"] == 100 - 2 * actual
    # The second take wrote the first query's unspent points with its own charge.
    assert int(BudgetItem.get("ptn-budget-owed", cost.BUCKET).tokens) == (
        100 - requested + (requested - actual) - requested
    )
    assert "UpdateItem" not in dynamodb_calls


def test_bucket_arithmetic() -> None:
    policy = BudgetPolicy(capacity=100, refill_per_second=10)
    assert refilled(0, 1500, policy) == 15
    assert refilled(95, 10_000, policy) == 100
    assert retry_after(50, 20, policy) == 3
    assert retry_after(21, 20, policy) == 1
