"""Running a changing mutation once per idempotency key, with refusals as results.

The action returns the IDs of what it created or changed; a business refusal (or bad
input) becomes the payload's `errors` and, like a success, is what a retry with the same
key gets back. Permission errors are raised and never stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from partner_center.api.payloads import UserError
from partner_center.core.auth import Principal
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.idempotency.once import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    once,
)


@dataclass(frozen=True)
class Outcome:
    ids: dict[str, str] = field(default_factory=dict)
    errors: list[UserError] = field(default_factory=list)

    def encode(self) -> dict[str, Any]:
        return {
            "ids": self.ids,
            "errors": [
                {"code": e.code, "field": e.field, "message": e.message} for e in self.errors
            ],
        }

    @classmethod
    def decode(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            ids=dict(data.get("ids") or {}),
            errors=[UserError(**e) for e in data.get("errors") or []],
        )


def refused(error: Refused | BadInput | NotFound) -> Outcome:
    return Outcome(errors=[UserError.from_client_error(error)])


async def run_once(
    principal: Principal,
    operation: str,
    key: str | None,
    request: dict[str, Any],
    action: Callable[[], Awaitable[dict[str, str]]],
) -> Outcome:
    async def run() -> Outcome:
        try:
            return Outcome(ids=await action())
        except (Refused, BadInput, NotFound) as error:
            return refused(error)

    try:
        return await once(
            principal, operation, key, request, run, encode=Outcome.encode, decode=Outcome.decode
        )
    except (IdempotencyKeyReused, IdempotencyInProgress, InvalidIdempotencyKey) as error:
        return Outcome(errors=[UserError.from_client_error(error)])
