"""A bill's changes: confirm (the partner), adjust and mark paid (the provider's
operations), each once per idempotency key through run_mutation."""

from __future__ import annotations

from typing import Any

import strawberry

from partner_center.api import access
from partner_center.api.bills.inputs import (
    AdjustPartnerBillInput,
    ConfirmPartnerBillInput,
    MarkPartnerBillPaidInput,
    bill_id_of,
)
from partner_center.api.bills.types import (
    AdjustPartnerBillPayload,
    PartnerBillAdjustment,
    PartnerBillNode,
    PartnerBillPayload,
)
from partner_center.api.context import Info
from partner_center.api.core.mutations import Outcome, refused, run_mutation
from partner_center.bills import service
from partner_center.bills.bill import Bill
from partner_center.core.errors import BadInput


async def _payload(info: Info, outcome: Outcome[Any]) -> PartnerBillPayload:
    partner_id, bill_id = (outcome.result or {}).get("partner"), (outcome.result or {}).get("bill")
    bill = None
    if partner_id and bill_id:
        bill = await service.get_bill(info.context.principal, partner_id, bill_id)
    return PartnerBillPayload(
        bill=PartnerBillNode.of(bill) if bill else None, errors=outcome.errors
    )


def _ids(bill: Bill) -> dict[str, str]:
    return {"partner": bill.partner_id, "bill": bill.bill_id}


async def confirm_partner_bill(info: Info, input: ConfirmPartnerBillInput) -> PartnerBillPayload:
    principal = info.context.principal
    try:
        partner_id, bill_id = bill_id_of(input.bill_id)
    except BadInput as error:
        return await _payload(info, refused(error))

    async def action() -> dict[str, str]:
        return _ids(await service.confirm(principal, partner_id, bill_id))

    return await _payload(
        info,
        await run_mutation(
            principal,
            "confirmPartnerBill",
            input.idempotency_key,
            {"partner": partner_id, "bill": bill_id},
            action,
        ),
    )


async def mark_partner_bill_paid(info: Info, input: MarkPartnerBillPaidInput) -> PartnerBillPayload:
    principal = info.context.principal
    try:
        partner_id, bill_id = bill_id_of(input.bill_id)
    except BadInput as error:
        return await _payload(info, refused(error))

    async def action() -> dict[str, str]:
        return _ids(
            await service.mark_paid(principal, partner_id, bill_id, input.payment_reference)
        )

    return await _payload(
        info,
        await run_mutation(
            principal,
            "markPartnerBillPaid",
            input.idempotency_key,
            {"partner": partner_id, "bill": bill_id, "reference": input.payment_reference},
            action,
        ),
    )


async def adjust_partner_bill(
    info: Info, input: AdjustPartnerBillInput
) -> AdjustPartnerBillPayload:
    principal = info.context.principal
    try:
        partner_id, bill_id = bill_id_of(input.bill_id)
    except BadInput as error:
        return AdjustPartnerBillPayload(errors=refused(error).errors)

    async def action() -> dict[str, str]:
        bill, adjustment = await service.adjust(
            principal, partner_id, bill_id, input.amount, input.reason
        )
        return {**_ids(bill), "adjustment": adjustment.adjustment_id}

    outcome = await run_mutation(
        principal,
        "adjustPartnerBill",
        input.idempotency_key,
        {"partner": partner_id, "bill": bill_id, "amount": input.amount, "reason": input.reason},
        action,
    )
    payload = await _payload(info, outcome)
    adjustment = None
    if payload.bill is not None and "adjustment" in (outcome.result or {}):
        adjustment = next(
            (
                PartnerBillAdjustment.of(a)
                for a in await service.bill_adjustments(principal, payload.bill.bill)
                if a.adjustment_id == (outcome.result or {})["adjustment"]
            ),
            None,
        )
    return AdjustPartnerBillPayload(bill=payload.bill, adjustment=adjustment, errors=outcome.errors)


@strawberry.type
class Mutation:
    confirm_partner_bill: PartnerBillPayload = access.mutation(
        "Mutation.confirmPartnerBill",
        confirm_partner_bill,
        "The partner agrees to a generated bill (generated → confirmed).",
    )
    adjust_partner_bill: AdjustPartnerBillPayload = access.mutation(
        "Mutation.adjustPartnerBill",
        adjust_partner_bill,
        "Credit or debit a generated bill; the amount due never goes below zero.",
    )
    mark_partner_bill_paid: PartnerBillPayload = access.mutation(
        "Mutation.markPartnerBillPaid",
        mark_partner_bill_paid,
        "Record the partner's repayment of a confirmed bill (confirmed → paid).",
    )
