"""Errors that reach clients with a code they can act on.

Plain exceptions, so domain code and the workers need no GraphQL library to raise or
catch them. Each carries a stable `code`, an optional input `field` and a message for
people; anything else the client may act on (the menu a denial concerns) rides in
`extensions`. The API turns them into GraphQL errors with `extensions.code`
(`partner_center.api.errors`); mutations turn business refusals into payload errors
(`partner_center.api.core.payloads`).
"""

from __future__ import annotations

from typing import Any


class ClientError(Exception):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        # `code` first, so a subclass's (or a `Refused` instance's) code
        # is what clients see; `field` and the rest are the caller's details.
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}
        self.field: str | None = extensions.get("field")

    def __str__(self) -> str:
        return self.message


class Unauthenticated(ClientError):
    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    code = "FORBIDDEN"


class BadInput(ClientError):
    code = "BAD_USER_INPUT"


class NotFound(ClientError):
    code = "NOT_FOUND"


class Refused(ClientError):
    """A business refusal: a stable code (a member of its area's code enum), the input
    field it concerns, and a message that quotes no input value (it could be an account
    number or a name). Mutations return it among their payload's `errors`; anywhere else
    it reaches the client as a GraphQL error with `extensions.code`."""

    def __init__(
        self, code: str, message: str, field: str | None = None, **extensions: Any
    ) -> None:
        self.code = code
        if field is not None:
            extensions["field"] = field
        super().__init__(message, **extensions)
