"""Customer alerts: list, view, handle (singly or in batches)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.api.types.customers import (
    WRONG_TYPE,
    CustomerNode,
    PartnerUser,
    customer_loader,
    partner_user,
    run_batch,
    split_ids,
)
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.core.errors import ClientError, Forbidden, NotFound
from partner_center.customers import alerts
from partner_center.customers.models import AlertItem

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(alerts.AlertType, name="CustomerAlertType")
CustomerAlertType: TypeAlias = alerts.AlertType
strawberry.enum(alerts.Severity, name="AlertSeverity")
AlertSeverity: TypeAlias = alerts.Severity


@strawberry.type(
    name="CustomerAlert",
    description="An alert raised on a customer; handling records who, when and a remark.",
)
class CustomerAlertNode(relay.Node):
    alert_id: relay.NodeID[str]
    item: strawberry.Private[AlertItem]

    @strawberry.field
    def type(self) -> CustomerAlertType:
        return alerts.AlertType(self.item.alert_type)

    @strawberry.field
    def severity(self) -> AlertSeverity:
        return alerts.Severity(self.item.severity)

    @strawberry.field
    def title(self) -> str:
        return self.item.title

    @strawberry.field
    def resource_id(self) -> str | None:
        return self.item.resource_id

    @strawberry.field
    def customer_id(self) -> relay.GlobalID:
        return relay.GlobalID("Customer", self.item.customer_id)

    @strawberry.field
    async def customer(self, info: Info) -> CustomerNode | None:
        item = await customer_loader(info).load(self.item.customer_id)
        return CustomerNode.from_item(item) if item else None

    @strawberry.field
    def raised_at(self) -> datetime:
        return from_iso(self.item.raised_at)

    @strawberry.field
    def handled(self) -> bool:
        return self.item.handled_at is not None

    @strawberry.field
    def handled_at(self) -> datetime | None:
        return from_iso_or_none(self.item.handled_at)

    @strawberry.field
    def handled_by(self, info: Info) -> PartnerUser | None:
        return partner_user(info, self.item.handled_by)  # type: ignore[return-value]

    @strawberry.field
    def remark(self) -> str | None:
        return self.item.remark

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                item = await asyncio.to_thread(alerts.get_alert, info.context.principal, node_id)
            except Forbidden:
                item = None
            results.append(cls(alert_id=item.alert_id, item=item) if item else None)
        return results


@strawberry.type(name="CustomerAlertConnection")
class CustomerAlertConnection(relay.Connection[CustomerAlertNode]):
    pass


@strawberry.input(name="CustomerAlertFilter")
class CustomerAlertFilterInput:
    customer_id: relay.GlobalID | None = None
    type: CustomerAlertType | None = None
    severity: AlertSeverity | None = None
    handled: bool | None = strawberry.field(
        default=None, description="true: handled only; false: open only; null: both."
    )


async def customer_alerts(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: CustomerAlertFilterInput | None = None,
) -> CustomerAlertConnection:
    page = page_request(first, after, "customer-alert")
    given = filter or CustomerAlertFilterInput()
    flt = alerts.AlertFilter(
        customer_id=node_id_of(given.customer_id, "Customer", "customerId")
        if given.customer_id
        else None,
        alert_type=given.type,
        severity=given.severity,
        handled=given.handled,
    )
    found, has_next = await asyncio.to_thread(
        alerts.list_alerts, info.context.principal, flt, after=page.after, limit=page.size
    )
    nodes = [CustomerAlertNode(alert_id=i.alert_id, item=i) for i in found]
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
    return CustomerAlertNode(alert_id=item.alert_id, item=item)


@strawberry.type(description="The outcome for one alert of a batch.")
class CustomerAlertResult:
    alert_id: relay.GlobalID
    ok: bool
    error: UserError | None = None

    @strawberry.field(description="The alert as it is now.")
    async def alert(self, info: Info) -> CustomerAlertNode | None:
        return await load_alert(info, self.alert_id)


async def load_alert(info: Info, gid: relay.GlobalID) -> CustomerAlertNode | None:
    if gid.type_name != "CustomerAlert":
        return None
    item = await asyncio.to_thread(alerts.get_alert, info.context.principal, gid.node_id)
    return CustomerAlertNode(alert_id=item.alert_id, item=item) if item else None


@strawberry.type(description="One result per alert given, in the same order.")
class CustomerAlertBatchPayload:
    results: list[CustomerAlertResult] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field
    def succeeded_count(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @strawberry.field
    def failed_count(self) -> int:
        return sum(1 for r in self.results if not r.ok)


@strawberry.type
class HandleCustomerAlertPayload:
    alert: CustomerAlertNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


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


async def handle_customer_alerts(
    info: Info, input: HandleCustomerAlertsInput
) -> CustomerAlertBatchPayload:
    principal = info.context.principal
    request = {"ids": [str(i) for i in input.alert_ids], "remark": input.remark}
    try:
        outcomes = await run_batch(
            info,
            "handleCustomerAlerts",
            input.idempotency_key,
            request,
            split_ids(input.alert_ids, "CustomerAlert"),
            lambda ids: alerts.handle(principal, ids, input.remark),
        )
    except Forbidden:
        raise
    except ClientError as refusal:
        return CustomerAlertBatchPayload(errors=[UserError.from_client_error(refusal)])
    results = []
    for gid, (_, code) in zip(input.alert_ids, outcomes, strict=True):
        error = None
        if code == WRONG_TYPE:
            error = UserError(
                code="BAD_USER_INPUT", field="alertIds", message="not the ID of a CustomerAlert"
            )
        elif code is not None:
            error = UserError(code=code, field="alertIds", message=alerts.MESSAGES.get(code, code))
        results.append(CustomerAlertResult(alert_id=gid, ok=code is None, error=error))
    return CustomerAlertBatchPayload(results=results)


async def handle_customer_alert(
    info: Info, input: HandleCustomerAlertInput
) -> HandleCustomerAlertPayload:
    payload = await handle_customer_alerts(
        info,
        HandleCustomerAlertsInput(
            alert_ids=[input.alert_id], remark=input.remark, idempotency_key=input.idempotency_key
        ),
    )
    if payload.errors:
        return HandleCustomerAlertPayload(errors=payload.errors)
    result = payload.results[0]
    errors = (
        []
        if result.error is None
        else [UserError(code=result.error.code, field="alertId", message=result.error.message)]
    )
    return HandleCustomerAlertPayload(alert=await load_alert(info, result.alert_id), errors=errors)


@strawberry.type
class Query:
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


@strawberry.type
class Mutation:
    handle_customer_alerts: CustomerAlertBatchPayload = access.mutation(
        "Mutation.handleCustomerAlerts",
        handle_customer_alerts,
        "Mark alerts handled (who, when, remark), each on its own; an alert already "
        "handled is refused with ALREADY_HANDLED.",
    )
    handle_customer_alert: HandleCustomerAlertPayload = access.mutation(
        "Mutation.handleCustomerAlert",
        handle_customer_alert,
        "Mark one alert handled; ALREADY_HANDLED if it was.",
    )
