"""The incentives mutations (R14–R19): apply for disbursement, approve an application,
notify disbursements, record a program membership. Each runs once per idempotency key
(`run_mutation`); the service's own refusals (R15, R16) are part of what is stored, so a
retry answers the same."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.money import Money
from partner_center.api.core.mutations import refused, run_mutation
from partner_center.api.core.payloads import UserError
from partner_center.api.incentives.inputs import (
    ApplyForIncentiveDisbursementInput,
    ApproveIncentiveApplicationInput,
    NotifyIncentiveDisbursementInput,
    RecordProgramMembershipInput,
    incentive_ids,
)
from partner_center.api.incentives.payloads import (
    ApplyForIncentiveDisbursementPayload,
    ApproveIncentiveApplicationPayload,
    IncentiveNotifyResult,
    NotifyIncentiveDisbursementPayload,
    RecordProgramMembershipPayload,
)
from partner_center.api.incentives.summaries import PartnerProgramMembership, user_error
from partner_center.api.incentives.types import IncentiveApplicationNode, IncentiveNode
from partner_center.core.errors import BadInput
from partner_center.incentives import service
from partner_center.incentives.application import Refusal
from partner_center.incentives.programs import Membership, Program


def _refusal_dicts(refusals: Iterable[Refusal]) -> list[dict[str, Any]]:
    return [
        {"code": e.code, "field": e.field, "message": e.message} for e in map(user_error, refusals)
    ]


def _errors(data: dict[str, Any]) -> list[UserError]:
    return [UserError(**e) for e in data.get("errors", [])]


async def _application(info: Info, application_id: str) -> IncentiveApplicationNode | None:
    # Read after the change (and on a replay), not through the request's loader: the
    # answer is the application as it is now.
    found = await asyncio.to_thread(service.get_application, info.context.principal, application_id)
    return IncentiveApplicationNode.of(found) if found else None


async def apply_for_incentive_disbursement(
    info: Info, input: ApplyForIncentiveDisbursementInput
) -> ApplyForIncentiveDisbursementPayload:
    principal = info.context.principal
    try:
        positive_ids = incentive_ids(input.positive_incentive_ids, "positiveIncentiveIds")
        negative_ids = incentive_ids(input.negative_incentive_ids, "negativeIncentiveIds")
    except BadInput as error:
        return ApplyForIncentiveDisbursementPayload(errors=refused(error).errors)

    async def apply() -> dict[str, Any]:
        result = await asyncio.to_thread(service.apply, principal, positive_ids, negative_ids)
        short = result.decision.shortfall
        return {
            "application_id": result.application.application_id if result.application else None,
            "shortfall": str(short) if short is not None and result.refusals else None,
            "errors": _refusal_dicts(result.refusals),
        }

    outcome = await run_mutation(
        principal,
        "applyForIncentiveDisbursement",
        input.idempotency_key,
        {"positive": sorted(positive_ids), "negative": sorted(negative_ids)},
        apply,
    )
    data = outcome.result
    if data is None:
        return ApplyForIncentiveDisbursementPayload(errors=outcome.errors)
    application_id = data["application_id"]
    return ApplyForIncentiveDisbursementPayload(
        application=await _application(info, application_id) if application_id else None,
        shortfall=Money.of(Decimal(data["shortfall"])) if data["shortfall"] else None,
        errors=_errors(data),
    )


async def approve_incentive_application(
    info: Info, input: ApproveIncentiveApplicationInput
) -> ApproveIncentiveApplicationPayload:
    principal = info.context.principal
    try:
        application_id = node_id_of(input.application_id, "IncentiveApplication", "applicationId")
    except BadInput as error:
        return ApproveIncentiveApplicationPayload(errors=refused(error).errors)

    async def approve() -> dict[str, Any]:
        result = await asyncio.to_thread(service.approve, principal, application_id)
        return {"errors": _refusal_dicts(result.refusals)}

    outcome = await run_mutation(
        principal,
        "approveIncentiveApplication",
        input.idempotency_key,
        {"application": application_id},
        approve,
    )
    if outcome.result is None:
        return ApproveIncentiveApplicationPayload(errors=outcome.errors)
    return ApproveIncentiveApplicationPayload(
        application=await _application(info, application_id), errors=_errors(outcome.result)
    )


async def notify_incentive_disbursement(
    info: Info, input: NotifyIncentiveDisbursementInput
) -> NotifyIncentiveDisbursementPayload:
    principal = info.context.principal
    try:
        ids = incentive_ids(input.incentive_ids, "incentiveIds")
    except BadInput as error:
        return NotifyIncentiveDisbursementPayload(errors=refused(error).errors)

    # A batch: each incentive succeeds or is refused alone, and the whole batch is what
    # the idempotency key stores.
    async def notify() -> dict[str, Any]:
        results = await asyncio.to_thread(service.notify, principal, ids)
        return {
            "results": [
                {
                    "id": r.incentive_id,
                    "error": _refusal_dicts([r.refusal])[0] if r.refusal else None,
                }
                for r in results
            ]
        }

    outcome = await run_mutation(
        principal,
        "notifyIncentiveDisbursement",
        input.idempotency_key,
        {"incentives": ids},
        notify,
    )
    if outcome.result is None:
        return NotifyIncentiveDisbursementPayload(errors=outcome.errors)
    results = outcome.result["results"]
    # Read after the change, not through the request's loader: the answer is each
    # incentive as it is now.
    current = await asyncio.to_thread(service.get_incentives, principal, [r["id"] for r in results])
    return NotifyIncentiveDisbursementPayload(
        results=[
            IncentiveNotifyResult(
                incentive_id=relay.GlobalID("Incentive", r["id"]),
                incentive=IncentiveNode.of(current[r["id"]]) if r["id"] in current else None,
                error=UserError(**r["error"]) if r["error"] else None,
            )
            for r in results
        ]
    )


def _encode_membership(membership: Membership) -> dict[str, Any]:
    return {
        "program": membership.program.value,
        "joined_on": membership.joined_on.isoformat() if membership.joined_on else None,
        "lapsed_on": membership.lapsed_on.isoformat() if membership.lapsed_on else None,
    }


def _decode_membership(data: dict[str, Any]) -> Membership:
    return Membership(
        program=Program(data["program"]),
        joined_on=date.fromisoformat(data["joined_on"]) if data["joined_on"] else None,
        lapsed_on=date.fromisoformat(data["lapsed_on"]) if data["lapsed_on"] else None,
    )


async def record_program_membership(
    info: Info, input: RecordProgramMembershipInput
) -> RecordProgramMembershipPayload:
    principal = info.context.principal
    try:
        partner_id = node_id_of(input.partner_id, "Partner", "partnerId")
    except BadInput as error:
        return RecordProgramMembershipPayload(errors=refused(error).errors)

    async def record() -> Membership:
        return await asyncio.to_thread(
            service.record_program_membership,
            principal,
            partner_id,
            Program(input.program),
            joined_on=input.joined_on,
            lapsed_on=input.lapsed_on,
        )

    outcome = await run_mutation(
        principal,
        "recordProgramMembership",
        input.idempotency_key,
        {
            "partner": partner_id,
            "program": Program(input.program).value,
            "joinedOn": input.joined_on,
            "lapsedOn": input.lapsed_on,
        },
        record,
        encode=_encode_membership,
        decode=_decode_membership,
    )
    membership = outcome.result
    return RecordProgramMembershipPayload(
        membership=PartnerProgramMembership.of(membership) if membership else None,
        errors=outcome.errors,
    )


@strawberry.type
class Mutation:
    apply_for_incentive_disbursement: ApplyForIncentiveDisbursementPayload = access.mutation(
        "Mutation.applyForIncentiveDisbursement",
        apply_for_incentive_disbursement,
        "Apply for disbursement: confirms the chosen positive incentives together with "
        "every negative one (pending confirmation → disbursing).",
    )
    approve_incentive_application: ApproveIncentiveApplicationPayload = access.mutation(
        "Mutation.approveIncentiveApplication",
        approve_incentive_application,
        "Operations' review approves an application: its incentives are disbursed.",
    )
    notify_incentive_disbursement: NotifyIncentiveDisbursementPayload = access.mutation(
        "Mutation.notifyIncentiveDisbursement",
        notify_incentive_disbursement,
        "Issue estimated incentives' bills and notify their disbursement (estimated → "
        "pending confirmation); validity starts today (R18). Each succeeds or fails alone.",
    )
    record_program_membership: RecordProgramMembershipPayload = access.mutation(
        "Mutation.recordProgramMembership",
        record_program_membership,
        "Record a partner joining or leaving a partner program. The lapse day bounds the "
        "program's positive incentives to one year after it (R19); the daily expiry then "
        "ends them (R20), and clearing the lapse restores none that expired.",
    )
