"""The customers area's inputs, and their reading into domain filters and IDs."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.core.ids import node_id_of
from partner_center.api.customers.enums import (
    AlertSeverity,
    AssociationType,
    CustomerAlertType,
    CustomerOrderField,
    SortDirection,
)
from partner_center.customers import alerts
from partner_center.customers.store import CustomerFilter


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


@strawberry.input(name="CustomerOrder")
class CustomerOrderInput:
    field: CustomerOrderField = CustomerOrderField.CUSTOMER_ID
    direction: SortDirection = SortDirection.ASC


def customer_filter(given: CustomerFilterInput | None) -> CustomerFilter:
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


@strawberry.input(name="CustomerAlertFilter")
class CustomerAlertFilterInput:
    customer_id: relay.GlobalID | None = None
    type: CustomerAlertType | None = None
    severity: AlertSeverity | None = None
    handled: bool | None = strawberry.field(
        default=None, description="true: handled only; false: open only; null: both."
    )


def alert_filter(given: CustomerAlertFilterInput | None) -> alerts.AlertFilter:
    given = given or CustomerAlertFilterInput()
    return alerts.AlertFilter(
        customer_id=node_id_of(given.customer_id, "Customer", "customerId")
        if given.customer_id
        else None,
        alert_type=given.type,
        severity=given.severity,
        handled=given.handled,
    )


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


@strawberry.input
class HandleCustomerAlertsInput:
    alert_ids: list[relay.GlobalID] = strawberry.field(description="1 to 100 alerts.")
    remark: str | None = strawberry.field(default=None, description="At most 500 characters.")
    idempotency_key: str | None = None


@strawberry.input
class HandleCustomerAlertInput:
    alert_id: relay.GlobalID
    remark: str | None = None
    idempotency_key: str | None = None


def split_ids(ids: list[relay.GlobalID], type_name: str) -> list[str | None]:
    """Node IDs, with None where an ID is of another type (refused on its own)."""
    return [gid.node_id if gid.type_name == type_name else None for gid in ids]
