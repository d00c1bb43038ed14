"""Every mutation writes an audit event: who, what, on which IDs, with what outcome.

Attached to each mutation by `access.mutation`, outermost, so that permission denials
and unexpected failures are recorded as well as successes and refusals.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from strawberry import relay
from strawberry.extensions import FieldExtension

from partner_center.api.context import Info
from partner_center.audit import log as audit_log
from partner_center.audit.log import Outcome
from partner_center.core.errors import ClientError, Forbidden, Unauthenticated
from partner_center.core.logs import fields, get_logger

log = get_logger(__name__)


def global_ids(value: Any, depth: int = 0) -> list[str]:
    """The global IDs inside mutation arguments or a payload (inputs, lists, nodes)."""
    if depth > 4 or value is None:
        return []
    if isinstance(value, relay.GlobalID):
        return [str(value)]
    if isinstance(value, relay.Node):
        definition = type(value).__strawberry_definition__  # type: ignore[attr-defined]
        node_id = getattr(value, type(value).resolve_id_attr(), None)
        return [str(relay.GlobalID(definition.name, str(node_id)))] if node_id else []
    if isinstance(value, list | tuple):
        return [i for item in value for i in global_ids(item, depth + 1)]
    if isinstance(value, dict):
        return [i for item in value.values() for i in global_ids(item, depth + 1)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            i
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
            for i in global_ids(getattr(value, f.name, None), depth + 1)
        ]
    return []


def _outcome_of(result: Any) -> tuple[Outcome, list[str]]:
    errors = getattr(result, "errors", None) or []
    if errors:
        return Outcome.REFUSED, [str(getattr(e, "code", "ERROR")) for e in errors]
    return Outcome.SUCCEEDED, []


class Audited(FieldExtension):
    def __init__(self, operation: str) -> None:
        self.operation = operation

    async def resolve_async(self, next_: Any, source: Any, info: Info, **kwargs: Any) -> Any:
        targets = global_ids(kwargs)
        outcome, codes = Outcome.FAILED, ["INTERNAL"]
        try:
            result = await next_(source, info, **kwargs)
            outcome, codes = _outcome_of(result)
            targets += global_ids(result)
            return result
        except Unauthenticated:
            raise  # no caller, nothing to attribute
        except Forbidden:
            outcome, codes = Outcome.FORBIDDEN, ["FORBIDDEN"]
            raise
        except ClientError as error:
            outcome, codes = Outcome.FAILED, [str((error.extensions or {}).get("code"))]
            raise
        finally:
            await self._record(info, targets, outcome, codes)

    async def _record(
        self, info: Info, targets: list[str], outcome: Outcome, codes: list[str]
    ) -> None:
        context = info.context
        if context.caller is None:
            return
        try:
            await asyncio.to_thread(
                audit_log.record,
                context.caller,
                operation=self.operation,
                target_ids=targets,
                outcome=outcome,
                error_codes=codes,
                request_id=context.request_id,
            )
        except Exception as exc:  # the mutation's own outcome stands; the gap is logged
            log.error(
                "audit event not written",
                extra=fields(operation=self.operation, request_id=context.request_id),
                exc_info=exc,
            )
