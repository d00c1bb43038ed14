"""The customers area's mutations: assignment (R2) and handling alerts, each item of a
batch on its own, the whole batch once per idempotency key (`run_mutation`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.mutations import Outcome, refused, run_mutation
from partner_center.api.core.payloads import UserError
from partner_center.api.customers.inputs import (
    AssignCustomerInput,
    AssignCustomersInput,
    HandleCustomerAlertInput,
    HandleCustomerAlertsInput,
    UnassignCustomerInput,
    UnassignCustomersInput,
    split_ids,
)
from partner_center.api.customers.payloads import (
    CustomerAlertBatchPayload,
    CustomerAlertResult,
    CustomerBatchPayload,
    CustomerPayload,
    CustomerResult,
    HandleCustomerAlertPayload,
    load_alert,
)
from partner_center.api.customers.types import CustomerNode
from partner_center.core.errors import BadInput
from partner_center.customers import alerts, assignment
from partner_center.customers.service import get_customer

WRONG_TYPE = "WRONG_ID_TYPE"

Outcomes = list[tuple[str, str | None]]  # (node ID, code or None), in input order


async def run_batch(
    info: Info,
    operation: str,
    key: str | None,
    request: dict[str, Any],
    node_ids: list[str | None],
    work: Callable[[list[str]], list[Any]],
) -> Outcome[Outcomes]:
    """Run a per-item batch once per idempotency key; wrong-typed IDs fail on their own.
    A refusal of the whole batch (bad input, an unknown manager, a reused key) is the
    outcome's errors; FORBIDDEN is raised (R1)."""

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

    return await run_mutation(
        info.context.principal,
        operation,
        key,
        request,
        run,
        encode=lambda r: [list(x) for x in r],
        decode=lambda r: [(x[0], x[1]) for x in r],
    )


def item_errors(
    ids: list[relay.GlobalID],
    outcomes: Outcomes,
    type_name: str,
    field: str,
    messages: dict[str, str],
) -> list[UserError | None]:
    """Each item's refusal (None where it was done), in input order."""
    errors: list[UserError | None] = []
    for _, (_, code) in zip(ids, outcomes, strict=True):
        if code == WRONG_TYPE:
            errors.append(
                UserError(
                    code="BAD_USER_INPUT", field=field, message=f"not the ID of a {type_name}"
                )
            )
        elif code is not None:
            errors.append(UserError(code=code, field=field, message=messages.get(code, code)))
        else:
            errors.append(None)
    return errors


# -- assignment (R2) --------------------------------------------------------------------


async def _batch(
    info: Info,
    operation: str,
    ids: list[relay.GlobalID],
    key: str | None,
    request: dict[str, Any],
    work: Callable[[list[str]], list[Any]],
) -> CustomerBatchPayload:
    outcome = await run_batch(info, operation, key, request, split_ids(ids, "Customer"), work)
    if outcome.result is None:
        return CustomerBatchPayload(errors=outcome.errors)
    errors = item_errors(ids, outcome.result, "Customer", "customerIds", assignment.MESSAGES)
    return CustomerBatchPayload(
        results=[
            CustomerResult(customer_id=gid, ok=error is None, error=error)
            for gid, error in zip(ids, errors, strict=True)
        ]
    )


def _request(ids: list[relay.GlobalID], **more: Any) -> dict[str, Any]:
    return {"ids": [str(i) for i in ids], **{k: str(v) for k, v in more.items()}}


async def assign_customers(info: Info, input: AssignCustomersInput) -> CustomerBatchPayload:
    principal = info.context.principal
    try:
        manager_id = node_id_of(input.manager_id, "User", "managerId")
    except BadInput as refusal:
        return CustomerBatchPayload(errors=refused(refusal).errors)
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
    return CustomerPayload(customer=CustomerNode.from_found(item), errors=errors)


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


# -- alerts -----------------------------------------------------------------------------


async def handle_customer_alerts(
    info: Info, input: HandleCustomerAlertsInput
) -> CustomerAlertBatchPayload:
    principal = info.context.principal
    request = {"ids": [str(i) for i in input.alert_ids], "remark": input.remark}
    outcome = await run_batch(
        info,
        "handleCustomerAlerts",
        input.idempotency_key,
        request,
        split_ids(input.alert_ids, "CustomerAlert"),
        lambda ids: alerts.handle(principal, ids, input.remark),
    )
    if outcome.result is None:
        return CustomerAlertBatchPayload(errors=outcome.errors)
    errors = item_errors(
        input.alert_ids, outcome.result, "CustomerAlert", "alertIds", alerts.MESSAGES
    )
    return CustomerAlertBatchPayload(
        results=[
            CustomerAlertResult(alert_id=gid, ok=error is None, error=error)
            for gid, error in zip(input.alert_ids, errors, strict=True)
        ]
    )


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
