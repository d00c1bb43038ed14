"""Errors that reach clients with a code they can act on.

Authentication and permission failures travel as GraphQL errors with
`extensions.code`; business refusals travel in mutation payloads (see
`partner_center.api.payloads`).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class ClientError(GraphQLError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(ClientError):
    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    code = "FORBIDDEN"


class BadInput(ClientError):
    code = "BAD_USER_INPUT"


class NotFound(ClientError):
    code = "NOT_FOUND"
