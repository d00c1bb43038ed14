"""Mutations that create or change something run once per idempotency key.

A retry with the same key and the same input gets the first result back (refusals
included: they are results too); the same key with other input is refused; a retry
while the first call is still running is told to wait. Keys are per user and operation.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pynamodb.exceptions import PutError

from partner_center.core.auth import Principal
from partner_center.core.errors import ClientError
from partner_center.idempotency.models import IdempotencyItem

T = TypeVar("T")  # what the mutation returns when it runs
R = TypeVar("R")  # what a replay decodes from the stored result (None: since gone)

MAX_KEY_LENGTH = 128
KEEP_SECONDS = 7 * 24 * 3600
# A pending record older than this belongs to a call that died: a retry may take over.
STALE_PENDING_SECONDS = 120


class IdempotencyKeyReused(ClientError):
    code = "IDEMPOTENCY_KEY_REUSED"


class IdempotencyInProgress(ClientError):
    code = "IDEMPOTENCY_IN_PROGRESS"


class InvalidIdempotencyKey(ClientError):
    code = "BAD_USER_INPUT"


def request_hash(request: Any) -> str:
    canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(item: IdempotencyItem) -> IdempotencyItem | None:
    """Write the pending record; on conflict return the existing one."""
    try:
        item.save(
            condition=IdempotencyItem.record_key.does_not_exist()
            | (IdempotencyItem.expires_at < int(time.time()))
        )
        return None
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    return IdempotencyItem.get(item.partner_id, item.record_key, consistent_read=True)


def _take_over(item: IdempotencyItem, stale_before: int) -> bool:
    try:
        item.save(
            condition=(IdempotencyItem.state == "pending")
            & (IdempotencyItem.started_at < stale_before)
        )
        return True
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False


async def once(
    principal: Principal,
    operation: str,
    key: str | None,
    request: Any,
    run: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], R],
) -> T | R:
    if key is None:
        return await run()
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(
            f"idempotencyKey must be 1 to {MAX_KEY_LENGTH} characters", field="idempotencyKey"
        )
    now = int(time.time())
    item = IdempotencyItem(
        principal.partner_id,
        f"{principal.user_id}#{operation}#{key}",
        request_hash=request_hash(request),
        state="pending",
        started_at=now,
        expires_at=now + KEEP_SECONDS,
    )
    existing = await asyncio.to_thread(_claim, item)
    if existing is not None:
        if existing.request_hash != item.request_hash:
            raise IdempotencyKeyReused(
                "this idempotency key was used for a different request", field="idempotencyKey"
            )
        if existing.state == "done":
            return decode(json.loads(existing.result or "null"))
        if not await asyncio.to_thread(_take_over, item, now - STALE_PENDING_SECONDS):
            raise IdempotencyInProgress(
                "a request with this idempotency key is still running; retry shortly",
                field="idempotencyKey",
            )
    try:
        result = await run()
    except BaseException:
        # Nothing happened that a retry should see: let it run afresh.
        await asyncio.to_thread(item.delete)
        raise
    item.state = "done"
    item.result = json.dumps(encode(result), ensure_ascii=False, default=str)
    await asyncio.to_thread(item.save)
    return result
