"""The shape every mutation payload shares: typed errors a client can act on."""

from __future__ import annotations

import strawberry

from partner_center.core.errors import ClientError


@strawberry.type(
    description="A business-rule refusal: a stable code, the input field "
    "it concerns, and a message for people."
)
class UserError:
    code: str
    field: str | None
    message: str

    @classmethod
    def from_client_error(cls, error: ClientError) -> UserError:
        extensions = error.extensions or {}
        return cls(
            code=str(extensions.get("code", "BAD_USER_INPUT")),
            field=extensions.get("field"),
            message=error.message,
        )


@strawberry.type
class Payload:
    """The base of every mutation payload: the refusals, empty when it was done (the
    area's payload adds what it changed)."""

    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was done; empty when it was."
    )
