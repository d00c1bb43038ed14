"""The caller of a GraphQL request, as the partner directory describes it (R1).

The token was verified before GraphQL ran (`partner_center.api.app`); here, once the
query has passed its depth, alias, token and cost limits, the directory is read for
the caller's role and grants: one strongly consistent read per request, kept in the
request's context only, so a revoked grant is refused on the very next request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from partner_center.core.errors import Unauthenticated
from partner_center.core.logs import fields, get_logger

log = get_logger("partner_center.api")


class ResolveCaller(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        identity = getattr(context, "identity", None)
        if identity is not None and getattr(context, "caller", None) is None:
            try:
                context.caller = await asyncio.to_thread(identity.principal)
            except Unauthenticated as exc:
                self.execution_context.result = ExecutionResult(
                    data=None, errors=[GraphQLError(exc.message, extensions=dict(exc.extensions))]
                )
            except Exception as exc:  # the directory could not be read: ours, masked
                log.error(
                    "caller not resolved",
                    extra=fields(exception_type=type(exc).__name__, request_id=context.request_id),
                )
                self.execution_context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            "Unexpected error. Quote the request ID to support.",
                            extensions={
                                "code": "INTERNAL_SERVER_ERROR",
                                "requestId": context.request_id,
                            },
                        )
                    ],
                )
        yield
