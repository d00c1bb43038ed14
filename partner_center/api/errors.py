"""Which errors reach clients as they are, how domain errors become GraphQL errors, and
how errors are logged."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.relay.types import GlobalIDValueError

from partner_center.core.errors import ClientError
from partner_center.core.logs import fields, get_logger

log = get_logger("partner_center.api")


def is_expected(error: GraphQLError) -> bool:
    """Syntax, validation and client errors are the caller's to see; anything else is a
    fault of ours, masked to a generic message so no internals or personal data leak."""
    original = error.original_error
    if original is None or error.path is None:
        # Parse, validation and variable-coercion errors: about the request, not us.
        return True
    return isinstance(original, ClientError | GlobalIDValueError)


def as_graphql_error(error: GraphQLError) -> GraphQLError:
    """A domain `ClientError` raised in a resolver, as the GraphQL error clients read:
    its message, and `extensions` with its `code` (and `field`, `permission`, ...).

    Domain errors are plain exceptions (the workers load no GraphQL library); this is
    the one place they get their GraphQL shape. Anything else is returned as it is.
    """
    original = error.original_error
    if not isinstance(original, ClientError):
        return error
    return GraphQLError(
        message=original.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions=dict(original.extensions),
    )


def log_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        original = error.original_error
        if is_expected(error):
            code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
            log.info("request refused", extra=fields(code=code, path=error.path))
        else:
            # Type and path only: messages and tracebacks may quote customer data.
            log.error(
                "unexpected resolver error",
                extra=fields(exception_type=type(original).__name__, path=error.path),
            )
