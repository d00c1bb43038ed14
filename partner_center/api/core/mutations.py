"""The one way a changing mutation runs: once per idempotency key, refusals as results.

Every area's mutation resolver reads its input, then hands `run_mutation` the action
that does the work. The action returns what the payload needs to build itself (usually
the IDs of what it created or changed, reloaded for the answer); a business refusal or
bad input raised inside it becomes the payload's `errors` and, like a success, is what a
retry with the same key gets back. A malformed, reused or still-running idempotency key
is refused the same way but never stored. Permission errors (FORBIDDEN, R1) are raised
and stay GraphQL errors: they are about the caller, not the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from partner_center.api.core.payloads import UserError
from partner_center.core.auth import Principal
from partner_center.core.errors import BadInput, ClientError, NotFound, Refused
from partner_center.idempotency.once import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    once,
)

T = TypeVar("T")

# Refusals a caller can act on travel in the payload; FORBIDDEN stays a GraphQL error.
PAYLOAD_REFUSALS = (
    BadInput,
    NotFound,
    Refused,
    IdempotencyKeyReused,
    IdempotencyInProgress,
    InvalidIdempotencyKey,
)
# Of those, the ones a replay returns as stored: the key's own errors are not the
# request's outcome.
_STORED_REFUSALS = (BadInput, NotFound, Refused)


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a mutation did: its result, or the refusals that stopped it (then `result`
    is None)."""

    result: T | None = None
    errors: list[UserError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def refused(error: ClientError) -> Outcome[Any]:
    """The outcome of a refusal met before the action ran (an input that does not parse)."""
    return Outcome(errors=[UserError.from_client_error(error)])


async def run_mutation(
    principal: Principal,
    operation: str,
    key: str | None,
    request: Any,
    action: Callable[[], Awaitable[T]],
    *,
    encode: Callable[[T], Any] = _same,
    decode: Callable[[Any], T] = _same,
) -> Outcome[T]:
    """Run `action` once for (caller, operation, key); `request` is what a reuse of the key
    must match. `encode`/`decode` turn the action's result into JSON and back (the
    default: it is JSON already)."""

    async def attempt() -> Outcome[T]:
        try:
            return Outcome(result=await action())
        except _STORED_REFUSALS as error:
            return refused(error)

    def store(outcome: Outcome[T]) -> dict[str, Any]:
        return {
            "result": None if outcome.result is None else encode(outcome.result),
            "errors": [
                {"code": e.code, "field": e.field, "message": e.message} for e in outcome.errors
            ],
        }

    def replay(data: dict[str, Any]) -> Outcome[T]:
        stored = data.get("result")
        return Outcome(
            result=None if stored is None else decode(stored),
            errors=[UserError(**e) for e in data.get("errors") or []],
        )

    try:
        return await once(principal, operation, key, request, attempt, encode=store, decode=replay)
    except PAYLOAD_REFUSALS as error:
        return refused(error)
