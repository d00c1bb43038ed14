"""The GraphQL schema: every area's root fields, gathered in one place."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from partner_center.api.errors import is_expected, log_errors
from partner_center.api.pagination import MAX_PAGE_SIZE
from partner_center.api.types import audit, bills, directory, finance, jobs
from partner_center.api.types.customers import CustomerNode
from partner_center.api.types.directory import PartnerNode, UserNode

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


# One entry per area: its root queries and mutations.
Query = merge_types("Query", (directory.Query, jobs.Query, audit.Query, bills.Query,
                              finance.Query))
Mutation = merge_types("Mutation", (jobs.Mutation, bills.Mutation, finance.Mutation))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        # strawberry's default logs the raw exception, which may quote personal data.
        log_errors(errors)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[CustomerNode, PartnerNode, UserNode],
    config=StrawberryConfig(relay_max_results=MAX_PAGE_SIZE),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=lambda error: not is_expected(error)),
    ],
)
