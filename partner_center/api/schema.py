"""The GraphQL schema: every area's root fields, gathered in one place."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from graphql import GraphQLError
from partner_center.api.errors import is_expected, log_errors
from partner_center.api.pagination import MAX_PAGE_SIZE
from partner_center.api.types import directory
from partner_center.api.types import jobs as job_fields
from partner_center.api.types.customers import CustomerNode
from partner_center.api.types.directory import PartnerNode, UserNode
from partner_center.api.types.jobs import JobConnection, JobNode, RequestExportPayload

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


@strawberry.type
class Query:
    node: relay.Node | None = relay.node(description="Any object the caller may see, by ID.")
    viewer: directory.Viewer = strawberry.field(resolver=directory.viewer)
    job: JobNode | None = strawberry.field(resolver=job_fields.job)
    jobs: JobConnection = strawberry.field(
        resolver=job_fields.jobs, description="The caller's jobs, newest first (an administrator "
                                        "sees every job of its partner).")


@strawberry.type
class Mutation:
    request_export: RequestExportPayload = strawberry.mutation(
        resolver=job_fields.request_export,
        description="Ask for an export; the file is written by a worker. Poll `job`.")


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
