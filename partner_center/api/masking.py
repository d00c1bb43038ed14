"""Masking unexpected errors: a generic message with the request ID, nothing else; and
giving the expected ones (domain `ClientError`s) their GraphQL shape."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from partner_center.api.errors import as_graphql_error, is_expected

MASKED_MESSAGE = "Unexpected error. Quote the request ID to support."


class MaskUnexpectedErrors(MaskErrors):
    """Masks only faults of ours; syntax, validation and client errors pass as they are."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda error: not is_expected(error), error_message=MASKED_MESSAGE
        )

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [as_graphql_error(error) for error in super()._process_errors(errors)]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        return GraphQLError(
            message=self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
