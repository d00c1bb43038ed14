"""The GraphQL schema: every area's root fields, gathered in one place."""

from __future__ import annotations

import functools

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from partner_center.api.audit import queries as audit_queries
from partner_center.api.bills import mutations as bills_mutations
from partner_center.api.bills import queries as bills_queries
from partner_center.api.caller import ResolveCaller
from partner_center.api.consumption import queries as consumption_queries
from partner_center.api.consumption.types import AdjustmentRecordNode, ConsumptionLineNode
from partner_center.api.core.pagination import MAX_PAGE_SIZE
from partner_center.api.cost import QueryCost
from partner_center.api.customers import mutations as customers_mutations
from partner_center.api.customers import queries as customers_queries
from partner_center.api.customers.types import CustomerAlertNode, CustomerNode
from partner_center.api.directory import queries as directory_queries
from partner_center.api.directory.types import PartnerNode, UserNode
from partner_center.api.errors import log_errors
from partner_center.api.finance import mutations as finance_mutations
from partner_center.api.finance import queries as finance_queries
from partner_center.api.incentives import mutations as incentives_mutations
from partner_center.api.incentives import queries as incentives_queries
from partner_center.api.introspection import NoIntrospectionInProduction
from partner_center.api.jobs import mutations as jobs_mutations
from partner_center.api.jobs import queries as jobs_queries
from partner_center.api.leads import mutations as leads_mutations
from partner_center.api.leads import queries as leads_queries
from partner_center.api.leads.types import LeadNode
from partner_center.api.marketplace import mutations as marketplace_mutations
from partner_center.api.marketplace import queries as marketplace_queries
from partner_center.api.masking import MaskUnexpectedErrors
from partner_center.api.opportunities import queries as opportunities_queries
from partner_center.api.webhooks import mutations as webhooks_mutations
from partner_center.api.webhooks import queries as webhooks_queries
from partner_center.api.webhooks.types import WebhookDeliveryNode, WebhookSubscriptionNode

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000
# Documents are trusted ones in production (a few dozen); the caches hold them all.
DOCUMENT_CACHE_SIZE = 256


# One entry per area: its root queries and mutations.
Query = merge_types(
    "Query",
    (
        directory_queries.Query,
        jobs_queries.Query,
        audit_queries.Query,
        customers_queries.Query,
        consumption_queries.Query,
        marketplace_queries.Query,
        incentives_queries.Query,
        opportunities_queries.Query,
        leads_queries.Query,
        bills_queries.Query,
        finance_queries.Query,
        webhooks_queries.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        jobs_mutations.Mutation,
        customers_mutations.Mutation,
        marketplace_mutations.Mutation,
        incentives_mutations.Mutation,
        leads_mutations.Mutation,
        bills_mutations.Mutation,
        finance_mutations.Mutation,
        webhooks_mutations.Mutation,
    ),
)


@functools.cache
def _limit_rules(max_depth: int, max_aliases_count: int) -> tuple[type[ASTValidationRule], ...]:
    return (
        query_depth_limiter.create_validator(max_depth, None, None),
        max_aliases.create_validator(max_aliases_count),
    )


class OperationLimits(AddValidationRules):
    """strawberry's depth and alias limiters, with their rules made once per limit: the
    limiters make a new rule class per request, which ValidationCache would take for new
    rules and validate every document again."""

    def __init__(self) -> None:
        super().__init__(list(_limit_rules(MAX_DEPTH, MAX_ALIASES)))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        # strawberry's default logs the raw exception, which may quote personal data.
        log_errors(errors)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=[
        CustomerNode,
        PartnerNode,
        UserNode,
        CustomerAlertNode,
        ConsumptionLineNode,
        AdjustmentRecordNode,
        LeadNode,
        WebhookSubscriptionNode,
        WebhookDeliveryNode,
    ],
    config=StrawberryConfig(relay_max_results=MAX_PAGE_SIZE),
    extensions=[
        OperationLimits,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # A document is parsed and validated once, not on every request.
        lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        NoIntrospectionInProduction,
        # Before the cost: the budget is the caller's partner's, and a caller the
        # directory no longer holds is refused before anything is charged.
        ResolveCaller,
        QueryCost,
        MaskUnexpectedErrors,
    ],
)
