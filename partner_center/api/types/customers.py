"""Customers: the `Customer` node, the customers connection, customer managers and
assignment (R1, R2, R5).

Nested fields of a page (manager, month consumption) go through the request's
DataLoaders, so a page of 100 customers reads as many DynamoDB requests as a page of 10.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.api.types.consumption_figure import ConsumptionFigure
from partner_center.consumption import summaries
from partner_center.consumption.rollup import month_of
from partner_center.consumption.scope import counting_from
from partner_center.consumption.summary import (
    customer_items,
    figures_of,
    parse_month,
    partner_items,
)
from partner_center.core.clock import beijing_date, from_iso
from partner_center.core.errors import BadInput, ClientError, Forbidden, NotFound
from partner_center.core.permissions import managed_customer_scope
from partner_center.customers import assignment
from partner_center.customers.service import (
    customer_managers,
    get_customer,
    list_customers,
    users_by_id,
    visible_customers_by_id,
)
from partner_center.customers.store import CustomerFilter, CustomerOrder, cursor_key
from partner_center.idempotency.once import once
from partner_center.storage.models import CustomerItem, DirectoryItem


@strawberry.enum
class AssociationType(enum.Enum):
    RESELLER = "reseller"  # 代售: billed through the partner
    ADVISORY = "advisory"  # 顾问销售: pays the provider itself


# -- loaders ----------------------------------------------------------------------------


def user_loader(info: Info) -> Any:
    """The partner's users by ID (one BatchGetItem per 100)."""
    partner_id = info.context.principal.partner_id

    async def load(user_ids: list[str]) -> list[PartnerUser]:
        found = await asyncio.to_thread(users_by_id, partner_id, user_ids)
        return [PartnerUser.of(u, found.get(u)) for u in user_ids]

    return info.context.loaders.get("partner_users", load)


def customer_loader(info: Info) -> Any:
    """Customers the caller may see, by ID (R2 applied; one BatchGetItem per 100)."""
    principal = info.context.principal

    async def load(customer_ids: list[str]) -> list[CustomerItem | None]:
        found = await asyncio.to_thread(visible_customers_by_id, principal, customer_ids)
        return [found.get(c) for c in customer_ids]

    return info.context.loaders.get("visible_customers", load)


def month_consumption_loader(info: Info) -> Any:
    """(customer, month, first counted day) -> figure: one batch of the customers' roll-up
    items and one read of the partner's per month, whatever the page size."""
    partner_id = info.context.principal.partner_id

    async def load(keys: list[tuple[str, str, date]]) -> list[ConsumptionFigure]:
        # The partner's items and the customers' are independent reads: run them at once.
        partners, items = await asyncio.gather(
            asyncio.to_thread(partner_items, partner_id, {m for _, m, _ in keys}),
            asyncio.to_thread(customer_items, partner_id, [(c, m) for c, m, _ in keys]),
        )
        return [
            ConsumptionFigure.of(f) for f in figures_of(keys, partners, items, summaries.clock())
        ]

    return info.context.loaders.get("customer_month_consumption", load)


# -- types ------------------------------------------------------------------------------


@strawberry.type(
    description="A user of the partner as other records name it (a customer's "
    "manager, who handled an alert, who assigned a customer)."
)
class PartnerUser:
    id: relay.GlobalID = strawberry.field(description="The user's global ID (a User).")
    login: str
    display_name: str

    @classmethod
    def of(cls, user_id: str, item: DirectoryItem | None) -> PartnerUser:
        return cls(
            id=relay.GlobalID("User", user_id),
            login=(item.login or "") if item else "",
            display_name=item.name if item else "",
        )


def partner_user(info: Info, user_id: str | None) -> Awaitable[PartnerUser] | None:
    """The user, through the request's loader (a future: the resolver returns it as is,
    sparing a coroutine per row)."""
    if not user_id:
        return None
    return user_loader(info).load(user_id)


@strawberry.enum
class AssignmentAction(enum.Enum):
    ASSIGN = "assign"
    REASSIGN = "reassign"
    UNASSIGN = "unassign"


@strawberry.type(description="One change of a customer's manager: who, when, from whom to whom.")
class CustomerAssignment:
    change: strawberry.Private[assignment.Change]

    @strawberry.field
    def action(self) -> AssignmentAction:
        return AssignmentAction(self.change.action)

    @strawberry.field
    def from_manager(self, info: Info) -> PartnerUser | None:
        return partner_user(  # type: ignore[return-value]
            info, self.change.from_manager
        )

    @strawberry.field
    def to_manager(self, info: Info) -> PartnerUser | None:
        return partner_user(  # type: ignore[return-value]
            info, self.change.to_manager
        )

    @strawberry.field
    def by(self, info: Info) -> PartnerUser | None:
        return partner_user(  # type: ignore[return-value]
            info, self.change.by_user
        )

    @strawberry.field
    def at(self) -> datetime:
        return from_iso(self.change.at)


def _customer_manager(root: CustomerNode, info: Info) -> PartnerUser | None:
    return partner_user(info, root.item.manager_id if root.item else None)  # type: ignore[return-value]


@strawberry.type(name="Customer")
class CustomerNode(relay.Node):
    customer_id: relay.NodeID[str]
    name: str
    account_name: str
    association: AssociationType
    created_at: datetime
    item: strawberry.Private[CustomerItem | None] = None

    @classmethod
    def from_item(cls, item: CustomerItem) -> CustomerNode:
        return cls(
            customer_id=item.customer_id,
            name=item.name,
            account_name=item.account_name,
            association=AssociationType(item.association),
            created_at=item.created_at,
            item=item,
            assigned_at=item.assigned_at,
            open_alert_count=int(item.open_alerts or 0),
        )

    manager: PartnerUser | None = strawberry.field(
        resolver=_customer_manager,
        description="The customer manager it is assigned to, if any (R2).",
    )
    # Plain fields (read from the attribute, no resolver per row), filled by from_item.
    assigned_at: datetime | None = strawberry.field(
        default=None, description="When it was assigned to its current manager."
    )
    open_alert_count: int = strawberry.field(
        default=0, description="Alerts raised on the customer and not handled yet."
    )

    @strawberry.field(
        description="The customer's consumption in a month (YYYY-MM, Beijing; "
        "default: the current month), as far as R3 lets it be "
        "shown; a customer manager counts it from the day after "
        "the customer's assignment to it (R5)."
    )
    def month_consumption(self, info: Info, month: str | None = None) -> ConsumptionFigure:
        if month is None:
            month = month_of(beijing_date(summaries.clock()))
        else:
            parse_month(month, "month")
        since = date.min
        if managed_customer_scope(info.context.principal) is not None and self.item:
            since = counting_from(self.item.assigned_at)
        return month_consumption_loader(info).load((self.customer_id, month, since))

    @strawberry.field(
        description="Every change of the customer's manager, newest first (at most 100)."
    )
    async def assignment_history(self, info: Info) -> list[CustomerAssignment]:
        changes = await asyncio.to_thread(
            assignment.history, info.context.principal.partner_id, self.customer_id
        )
        return [CustomerAssignment(change=c) for c in changes]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                item = await get_customer(info.context.principal, node_id)
            except Forbidden:
                item = None  # `node` answers null rather than confirm the ID exists
            results.append(cls.from_item(item) if item else None)
        return results


@strawberry.type(name="CustomerConnection")
class CustomerConnection(relay.Connection[CustomerNode]):
    pass


@strawberry.input(
    name="CustomerFilter",
    description="Filters of the customers list; dates are Beijing dates, inclusive.",
)
class CustomerFilterInput:
    search: str | None = strawberry.field(
        default=None, description="Contained in the name or the account name (case-sensitive)."
    )
    association: AssociationType | None = None
    manager_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only the customers of this customer manager (a User ID)."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="Only the customers assigned to no manager."
    )
    created_from: date | None = None
    created_to: date | None = None


@strawberry.enum
class CustomerOrderField(enum.Enum):
    CUSTOMER_ID = "customer_id"
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(name="CustomerOrder")
class CustomerOrderInput:
    field: CustomerOrderField = CustomerOrderField.CUSTOMER_ID
    direction: SortDirection = SortDirection.ASC


def _customer_filter(given: CustomerFilterInput | None) -> CustomerFilter:
    given = given or CustomerFilterInput()
    manager_id = node_id_of(given.manager_id, "User", "managerId") if given.manager_id else None
    return CustomerFilter(
        search=given.search,
        association=given.association.value if given.association else None,
        manager_id=manager_id,
        unassigned=bool(given.unassigned),
        created_from=given.created_from,
        created_to=given.created_to,
    ).validate()


async def customers(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: CustomerFilterInput | None = None,
    order_by: CustomerOrderInput | None = None,
) -> CustomerConnection:
    order_by = order_by or CustomerOrderInput()
    order = CustomerOrder(order_by.field.value)
    descending = order_by.direction is SortDirection.DESC
    kind = f"customer-{order.value}-{order_by.direction.value}"
    page = page_request(first, after, kind)
    found, has_next = await asyncio.to_thread(
        list_customers,
        info.context.principal,
        _customer_filter(filter),
        order=order,
        descending=descending,
        after=page.after,
        limit=page.size,
    )
    nodes = [CustomerNode.from_item(i) for i in found]
    by_id = {i.customer_id: i for i in found}
    return build_connection(
        CustomerConnection,
        nodes,
        has_next,
        kind,
        lambda n: cursor_key(by_id[n.customer_id], order),
        after,
    )


async def customer(info: Info, id: relay.GlobalID) -> CustomerNode:
    customer_id = node_id_of(id, "Customer", "id")
    item = await get_customer(info.context.principal, customer_id)
    if item is None:
        raise NotFound("no customer with this ID")
    return CustomerNode.from_item(item)


async def list_customer_managers(info: Info) -> list[PartnerUser]:
    users = await asyncio.to_thread(customer_managers, info.context.principal)
    return [PartnerUser.of(u.entity.removeprefix("USER#"), u) for u in users]


# -- assignment (R2) --------------------------------------------------------------------


@strawberry.type(description="The outcome for one customer of a batch: done, or why not.")
class CustomerResult:
    customer_id: relay.GlobalID
    ok: bool
    error: UserError | None = None

    @strawberry.field(description="The customer as it is now (null if the caller may not see it).")
    async def customer(self, info: Info) -> CustomerNode | None:
        item = await customer_loader(info).load(self.customer_id.node_id)
        return CustomerNode.from_item(item) if item else None


@strawberry.type(description="One result per customer given, in the same order.")
class CustomerBatchPayload:
    results: list[CustomerResult] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Refusals of the whole request (no customer was changed)."
    )

    @strawberry.field
    def succeeded_count(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @strawberry.field
    def failed_count(self) -> int:
        return sum(1 for r in self.results if not r.ok)


@strawberry.type
class CustomerPayload:
    customer: CustomerNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AssignCustomersInput:
    customer_ids: list[relay.GlobalID] = strawberry.field(description="1 to 100 customers.")
    manager_id: relay.GlobalID = strawberry.field(description="A customer manager (User ID).")
    idempotency_key: str | None = None


@strawberry.input
class AssignCustomerInput:
    customer_id: relay.GlobalID
    manager_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.input
class UnassignCustomersInput:
    customer_ids: list[relay.GlobalID] = strawberry.field(description="1 to 100 customers.")
    idempotency_key: str | None = None


@strawberry.input
class UnassignCustomerInput:
    customer_id: relay.GlobalID
    idempotency_key: str | None = None


WRONG_TYPE = "WRONG_ID_TYPE"


def split_ids(ids: list[relay.GlobalID], type_name: str) -> list[str | None]:
    """Node IDs, with None where an ID is of another type (refused on its own)."""
    return [gid.node_id if gid.type_name == type_name else None for gid in ids]


Outcomes = list[tuple[str, str | None]]  # (node ID, code or None), in input order


async def run_batch(
    info: Info,
    operation: str,
    key: str | None,
    request: dict[str, Any],
    node_ids: list[str | None],
    work: Callable[[list[str]], list[Any]],
) -> Outcomes:
    """Run a per-item batch once per idempotency key; wrong-typed IDs fail on their own."""
    principal = info.context.principal

    async def run() -> Outcomes:
        valid = [n for n in node_ids if n is not None]
        done = iter(await asyncio.to_thread(work, valid) if valid else [])
        results: Outcomes = []
        for node_id in node_ids:
            if node_id is None:
                results.append(("", WRONG_TYPE))
            else:
                outcome = next(done)
                results.append((node_id, outcome.code))
        return results

    return await once(
        principal,
        operation,
        key,
        request,
        run,
        encode=lambda r: [list(x) for x in r],
        decode=lambda r: [(x[0], x[1]) for x in r],
    )


def _result(
    ids: list[relay.GlobalID], outcomes: Outcomes, type_name: str, messages: dict[str, str]
) -> list[CustomerResult]:
    results = []
    for gid, (_, code) in zip(ids, outcomes, strict=True):
        error = None
        if code == WRONG_TYPE:
            error = UserError(
                code="BAD_USER_INPUT", field="customerIds", message=f"not the ID of a {type_name}"
            )
        elif code is not None:
            error = UserError(code=code, field="customerIds", message=messages.get(code, code))
        results.append(CustomerResult(customer_id=gid, ok=code is None, error=error))
    return results


async def _batch(
    info: Info,
    operation: str,
    ids: list[relay.GlobalID],
    key: str | None,
    request: dict[str, Any],
    work: Callable[[list[str]], list[Any]],
) -> CustomerBatchPayload:
    try:
        outcomes = await run_batch(info, operation, key, request, split_ids(ids, "Customer"), work)
    except Forbidden:
        raise  # permission errors stay GraphQL errors (R1)
    except ClientError as refusal:
        # Bad input, an unknown manager, an idempotency key reused with other input.
        return CustomerBatchPayload(errors=[UserError.from_client_error(refusal)])
    return CustomerBatchPayload(results=_result(ids, outcomes, "Customer", assignment.MESSAGES))


def _request(ids: list[relay.GlobalID], **more: Any) -> dict[str, Any]:
    return {"ids": [str(i) for i in ids], **{k: str(v) for k, v in more.items()}}


async def assign_customers(info: Info, input: AssignCustomersInput) -> CustomerBatchPayload:
    principal = info.context.principal
    try:
        manager_id = node_id_of(input.manager_id, "User", "managerId")
    except BadInput as refusal:
        return CustomerBatchPayload(errors=[UserError.from_client_error(refusal)])
    return await _batch(
        info,
        "assignCustomers",
        input.customer_ids,
        input.idempotency_key,
        _request(input.customer_ids, manager=input.manager_id),
        lambda ids: assignment.assign(principal, ids, manager_id),
    )


async def unassign_customers(info: Info, input: UnassignCustomersInput) -> CustomerBatchPayload:
    principal = info.context.principal
    return await _batch(
        info,
        "unassignCustomers",
        input.customer_ids,
        input.idempotency_key,
        _request(input.customer_ids),
        lambda ids: assignment.unassign(principal, ids),
    )


async def _single(info: Info, batch: Awaitable[CustomerBatchPayload]) -> CustomerPayload:
    payload = await batch
    if payload.errors:
        return CustomerPayload(errors=payload.errors)
    result = payload.results[0]
    item = (
        await get_customer(info.context.principal, result.customer_id.node_id)
        if result.customer_id.type_name == "Customer"
        else None
    )
    errors = []
    if result.error:
        errors = [
            UserError(code=result.error.code, field="customerId", message=result.error.message)
        ]
    return CustomerPayload(customer=CustomerNode.from_item(item) if item else None, errors=errors)


async def assign_customer(info: Info, input: AssignCustomerInput) -> CustomerPayload:
    return await _single(
        info,
        assign_customers(
            info,
            AssignCustomersInput(
                customer_ids=[input.customer_id],
                manager_id=input.manager_id,
                idempotency_key=input.idempotency_key,
            ),
        ),
    )


async def unassign_customer(info: Info, input: UnassignCustomerInput) -> CustomerPayload:
    return await _single(
        info,
        unassign_customers(
            info,
            UnassignCustomersInput(
                customer_ids=[input.customer_id], idempotency_key=input.idempotency_key
            ),
        ),
    )


@strawberry.type
class Query:
    customers: CustomerConnection = access.query(
        "Query.customers",
        customers,
        "The partner's customers (a customer manager: its own, R2), filtered and sorted.",
    )
    customer: CustomerNode = access.query(
        "Query.customer", customer, "A customer by ID; NOT_FOUND when the caller may not see it."
    )
    customer_managers: list[PartnerUser] = access.query(
        "Query.customerManagers",
        list_customer_managers,
        "The partner's customer managers, to assign customers to (a manager: itself).",
    )


@strawberry.type
class Mutation:
    assign_customers: CustomerBatchPayload = access.mutation(
        "Mutation.assignCustomers",
        assign_customers,
        "Assign customers to a customer manager, each on its own (R2).",
    )
    assign_customer: CustomerPayload = access.mutation(
        "Mutation.assignCustomer", assign_customer, "Assign one customer to a manager."
    )
    unassign_customers: CustomerBatchPayload = access.mutation(
        "Mutation.unassignCustomers",
        unassign_customers,
        "Take customers from their managers, each on its own.",
    )
    unassign_customer: CustomerPayload = access.mutation(
        "Mutation.unassignCustomer", unassign_customer, "Take one customer from its manager."
    )
