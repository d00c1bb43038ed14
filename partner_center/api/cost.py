"""Query cost: an upper bound before execution, the real count after, charged to a
per-partner budget that refills over time (stored in DynamoDB, shared by every
instance). Connections multiply the cost of what they contain by `first`.

Reported in `extensions.cost` as {requested, actual, remaining, capacity,
refillPerSecond}; over budget the answer is THROTTLED with `retryAfterSeconds`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from graphql.type.definition import GraphQLInterfaceType
from strawberry.extensions import SchemaExtension

from partner_center.api.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from partner_center.ratelimit.bucket import BudgetPolicy, BudgetStore

# One query may ask for at most this many objects (100 × 100 nested pages).
MAX_QUERY_COST = 10_000
POLICY = BudgetPolicy(capacity=50_000, refill_per_second=500)
BUCKET = "graphql-cost"


def _first(node: FieldNode, variables: dict[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return int(given) if isinstance(given, int) else DEFAULT_PAGE_SIZE
    return DEFAULT_PAGE_SIZE


def _selection_cost(
    selection_set: SelectionSetNode | None,
    parent: Any,
    multiplier: int,
    fragments: dict[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
    variables: dict[str, Any],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields = getattr(parent, "fields", {})
            definition = fields.get(selection.name.value)
            if definition is None:
                continue  # __typename and friends
            named = get_named_type(definition.type)
            if not is_composite_type(named):
                continue
            total += multiplier
            inner = multiplier
            if named.name.endswith("Connection"):
                # Above the page cap the resolver refuses the argument itself.
                inner = multiplier * min(max(_first(selection, variables), 0), MAX_PAGE_SIZE)
            total += _selection_cost(
                selection.selection_set, named, inner, fragments, schema, variables
            )
        else:
            condition: NamedTypeNode | None
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition, selections = fragment.type_condition, fragment.selection_set
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition, selections = selection.type_condition, selection.selection_set
            target = schema.get_type(condition.name.value) if condition else parent
            if not isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
                target = parent
            total += _selection_cost(selections, target, multiplier, fragments, schema, variables)
    return total


def requested_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (o for o in operations if o.name and o.name.value == operation_name),
        operations[0] if operations else None,
    )
    if chosen is None:
        return 0
    root = schema.get_root_type(chosen.operation)
    return _selection_cost(chosen.selection_set, root, 1, fragments, schema, variables or {})


def actual_cost(data: Any) -> int:
    """Objects actually returned (the root's own object not counted)."""

    def count(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + sum(count(v) for v in value.values())
        if isinstance(value, list):
            return sum(count(v) for v in value)
        return 0

    return max(count(data) - 1, 0) if data else 0


class QueryCost(SchemaExtension):
    report: dict[str, int] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        caller = getattr(context.context, "caller", None)
        document = context.graphql_document
        if caller is None or document is None:
            yield
            return
        requested = requested_cost(
            self.execution_context.schema._schema,
            document,
            context.operation_name,
            context.variables,
        )
        if requested > MAX_QUERY_COST:
            context.result = _refusal(
                f"this query could return {requested} objects; the limit is {MAX_QUERY_COST}",
                "QUERY_TOO_COSTLY",
                cost=requested,
                limit=MAX_QUERY_COST,
            )
            yield
            return
        store = BudgetStore(caller.partner_id, BUCKET, POLICY)
        decision = await asyncio.to_thread(store.take, requested)
        if not decision.allowed:
            context.result = _refusal(
                "the partner's query budget is spent; retry later",
                "THROTTLED",
                retryAfterSeconds=decision.retry_after_seconds,
                cost=requested,
                remaining=decision.remaining,
            )
            yield
            return
        yield
        result = context.result
        actual = min(actual_cost(result.data if result else None), requested)
        remaining = decision.remaining
        if requested > actual:
            # No request: the points are written with this process's next take.
            remaining = store.give_back(requested - actual, remaining)
        self.report = {
            "requested": requested,
            "actual": actual,
            "remaining": remaining,
            "capacity": POLICY.capacity,
            "refillPerSecond": POLICY.refill_per_second,
        }

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report else {}


def _refusal(message: str, code: str, **extensions: Any) -> ExecutionResult:
    return ExecutionResult(
        data=None, errors=[GraphQLError(message, extensions={"code": code, **extensions})]
    )
