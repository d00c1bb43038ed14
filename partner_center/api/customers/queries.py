"""The customers area's root queries: customers, customer managers, alerts."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.customers.enums import SortDirection
from partner_center.api.customers.inputs import (
    CustomerAlertFilterInput,
    CustomerFilterInput,
    CustomerOrderInput,
    alert_filter,
    customer_filter,
)
from partner_center.api.customers.prefetch import prefetch_rows
from partner_center.api.customers.types import (
    CustomerAlertConnection,
    CustomerAlertNode,
    CustomerConnection,
    CustomerNode,
)
from partner_center.api.customers.users import PartnerUser
from partner_center.core.errors import NotFound
from partner_center.customers import alerts
from partner_center.customers.service import customer_managers, get_customer, list_customers
from partner_center.customers.store import CustomerOrder, cursor_key


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
        customer_filter(filter),
        order=order,
        descending=descending,
        after=page.after,
        limit=page.size,
    )
    nodes = [CustomerNode.from_item(i) for i in found]
    await prefetch_rows(info, nodes)
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


async def customer_alerts(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: CustomerAlertFilterInput | None = None,
) -> CustomerAlertConnection:
    page = page_request(first, after, "customer-alert")
    flt = alert_filter(filter)
    found, has_next = await asyncio.to_thread(
        alerts.list_alerts, info.context.principal, flt, after=page.after, limit=page.size
    )
    nodes = [CustomerAlertNode.of(i) for i in found]
    return build_connection(
        CustomerAlertConnection,
        nodes,
        has_next,
        "customer-alert",
        lambda n: n.alert_id,
        after,
    )


async def customer_alert(info: Info, id: relay.GlobalID) -> CustomerAlertNode:
    alert_id = node_id_of(id, "CustomerAlert", "id")
    item = await asyncio.to_thread(alerts.get_alert, info.context.principal, alert_id)
    if item is None:
        raise NotFound("no alert with this ID")
    return CustomerAlertNode.of(item)


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
    customer_alerts: CustomerAlertConnection = access.query(
        "Query.customerAlerts",
        customer_alerts,
        "Alerts on the caller's customers (a manager: its own, R2), newest first.",
    )
    customer_alert: CustomerAlertNode = access.query(
        "Query.customerAlert",
        customer_alert,
        "An alert by ID; NOT_FOUND when the caller may not see it.",
    )
