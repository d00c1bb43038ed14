"""The GraphQL schema: every area's root fields, gathered in one place."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from partner_center.api.caller import ResolveCaller
from partner_center.api.cost import QueryCost
from partner_center.api.errors import log_errors
from partner_center.api.introspection import NoIntrospectionInProduction
from partner_center.api.masking import MaskUnexpectedErrors
from partner_center.api.pagination import MAX_PAGE_SIZE
from partner_center.api.types import (
    adjustments,
    audit,
    bills,
    consumption,
    customer_alerts,
    customers,
    directory,
    finance,
    incentives,
    jobs,
    leads,
    marketplace,
    opportunities,
    webhooks,
)
from partner_center.api.types.adjustments import AdjustmentRecordNode
from partner_center.api.types.consumption import ConsumptionLineNode
from partner_center.api.types.customer_alerts import CustomerAlertNode
from partner_center.api.types.customers import CustomerNode
from partner_center.api.types.directory import PartnerNode, UserNode

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000


# One entry per area: its root queries and mutations.
Query = merge_types("Query", (
    directory.Query, jobs.Query, audit.Query, customers.Query, customer_alerts.Query,
    consumption.Query, adjustments.Query, marketplace.Query, incentives.Query,
    opportunities.Query, leads.Query, bills.Query, finance.Query, webhooks.Query))
Mutation = merge_types("Mutation", (
    jobs.Mutation, customers.Mutation, customer_alerts.Mutation, marketplace.Mutation,
    incentives.Mutation, leads.Mutation, bills.Mutation, finance.Mutation,
    webhooks.Mutation))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        # strawberry's default logs the raw exception, which may quote personal data.
        log_errors(errors)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[CustomerNode, PartnerNode, UserNode, CustomerAlertNode, ConsumptionLineNode,
           AdjustmentRecordNode, leads.LeadNode, webhooks.WebhookSubscriptionNode,
           webhooks.WebhookDeliveryNode],
    config=StrawberryConfig(relay_max_results=MAX_PAGE_SIZE),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        NoIntrospectionInProduction,
        # Before the cost: the budget is the caller's partner's, and a caller the
        # directory no longer holds is refused before anything is charged.
        ResolveCaller,
        QueryCost,
        MaskUnexpectedErrors,
    ],
)
