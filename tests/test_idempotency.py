"""The idempotency helper every changing mutation uses (issue: idempotency)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from partner_center.idempotency.once import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    once,
)
from partner_center.local import demo_data


def identity(value: Any) -> Any:
    return value


@pytest.fixture
def caller(demo: Any) -> Any:
    return demo_data.principal("sp-admin")


async def test_same_key_and_input_returns_the_first_result(caller: Any) -> None:
    calls = []

    async def run() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    first = await once(caller, "op", "key-a", {"x": 1}, run, encode=identity, decode=identity)
    again = await once(caller, "op", "key-a", {"x": 1}, run, encode=identity, decode=identity)
    assert first == again == {"n": 1} and len(calls) == 1


async def test_same_key_other_input_is_refused(caller: Any) -> None:
    async def run() -> int:
        return 1

    await once(caller, "op", "key-b", {"x": 1}, run, encode=identity, decode=identity)
    with pytest.raises(IdempotencyKeyReused):
        await once(caller, "op", "key-b", {"x": 2}, run, encode=identity, decode=identity)


async def test_a_failed_call_leaves_the_key_free(caller: Any) -> None:
    async def fail() -> int:
        raise RuntimeError("boom")

    async def run() -> int:
        return 7

    with pytest.raises(RuntimeError):
        await once(caller, "op", "key-c", {}, fail, encode=identity, decode=identity)
    assert await once(caller, "op", "key-c", {}, run, encode=identity, decode=identity) == 7


async def test_a_concurrent_retry_is_told_to_wait(caller: Any) -> None:
    release = asyncio.Event()

    async def slow() -> int:
        await release.wait()
        return 1

    first = asyncio.create_task(
        once(caller, "op", "key-d", {}, slow, encode=identity, decode=identity)
    )
    await asyncio.sleep(0.3)
    with pytest.raises(IdempotencyInProgress):
        await once(caller, "op", "key-d", {}, slow, encode=identity, decode=identity)
    release.set()
    assert await first == 1


async def test_keys_are_per_operation_and_user(caller: Any) -> None:
    async def run() -> str:
        return "x"

    other = demo_data.principal("sp-operator")
    await once(caller, "op-1", "key-e", {"a": 1}, run, encode=identity, decode=identity)
    # The same key for another operation or another user is a new request.
    await once(caller, "op-2", "key-e", {"a": 2}, run, encode=identity, decode=identity)
    await once(other, "op-1", "key-e", {"a": 3}, run, encode=identity, decode=identity)


@pytest.mark.parametrize("key", ["", "k" * 129])
async def test_bad_keys_are_refused(caller: Any, key: str) -> None:
    async def run() -> int:
        return 1

    with pytest.raises(InvalidIdempotencyKey):
        await once(caller, "op", key, {}, run, encode=identity, decode=identity)
