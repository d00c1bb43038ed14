"""The agreements' and contracts' changes, each once per idempotency key through
run_mutation; the payload reloads what the action changed."""

from __future__ import annotations

from typing import Any

import strawberry

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.mutations import Outcome, refused, run_mutation
from partner_center.api.finance.inputs import (
    CancelPaymentContractInput,
    CreatePaymentAgreementInput,
    RequestPaymentContractInput,
    ReviewPaymentAgreementInput,
    ReviewPaymentContractInput,
    RevokePaymentAgreementInput,
    id_or_refusal,
    scoped_or_refusal,
)
from partner_center.api.finance.types import (
    PaymentAgreementNode,
    PaymentAgreementPayload,
    PaymentContractPayload,
    contract_nodes,
)
from partner_center.core.errors import BadInput
from partner_center.finance import account_numbers, service
from partner_center.finance.agreements import AgreementDraft, PartyType


async def _agreement_payload(info: Info, outcome: Outcome[Any]) -> PaymentAgreementPayload:
    partner_id, agreement_id = (
        (outcome.result or {}).get("partner"),
        (outcome.result or {}).get("agreement"),
    )
    found = None
    if partner_id and agreement_id:
        found = await service.get_agreement(info.context.principal, partner_id, agreement_id)
    return PaymentAgreementPayload(
        agreement=PaymentAgreementNode.of(found) if found else None, errors=outcome.errors
    )


async def _contract_payload(info: Info, outcome: Outcome[Any]) -> PaymentContractPayload:
    partner_id, contract_id = (
        (outcome.result or {}).get("partner"),
        (outcome.result or {}).get("contract"),
    )
    found = None
    if partner_id and contract_id:
        found = await service.get_contract(info.context.principal, partner_id, contract_id)
    node = (await contract_nodes(info, [found]))[0] if found else None
    return PaymentContractPayload(contract=node, errors=outcome.errors)


async def create_payment_agreement(
    info: Info, input: CreatePaymentAgreementInput
) -> PaymentAgreementPayload:
    principal = info.context.principal
    try:
        digits = account_numbers.normalize(input.account_number)
    except BadInput as error:
        return await _agreement_payload(info, refused(error))
    draft = AgreementDraft(
        payer_account_name=input.payer_account_name,
        bank=input.bank,
        account_number=digits,
        entrusted_party=input.entrusted_party,
        entrusted_party_type=PartyType(input.entrusted_party_type.value),
        valid_from=input.valid_from,
        valid_until=input.valid_until,
    )
    # The idempotency record keeps a hash of the request: the account number enters it
    # only as its keyed fingerprint, which cannot be reversed by trying every number.
    request = {
        "payer": draft.payer_account_name,
        "bank": draft.bank,
        "account": account_numbers.fingerprint(principal.partner_id, digits),
        "party": draft.entrusted_party,
        "type": draft.entrusted_party_type.value,
        "from": draft.valid_from.isoformat(),
        "until": draft.valid_until.isoformat(),
    }

    async def action() -> dict[str, str]:
        found = await service.create_agreement(principal, draft)
        return {"partner": found.partner_id, "agreement": found.agreement_id}

    return await _agreement_payload(
        info,
        await run_mutation(
            principal, "createPaymentAgreement", input.idempotency_key, request, action
        ),
    )


async def revoke_payment_agreement(
    info: Info, input: RevokePaymentAgreementInput
) -> PaymentAgreementPayload:
    principal = info.context.principal
    ids = scoped_or_refusal(input.agreement_id, "PaymentAgreement", "agreementId")
    if isinstance(ids, Outcome):
        return await _agreement_payload(info, ids)
    partner_id, agreement_id = ids

    async def action() -> dict[str, str]:
        found = await service.revoke_agreement(principal, partner_id, agreement_id)
        return {"partner": found.partner_id, "agreement": found.agreement_id}

    return await _agreement_payload(
        info,
        await run_mutation(
            principal,
            "revokePaymentAgreement",
            input.idempotency_key,
            {"partner": partner_id, "agreement": agreement_id},
            action,
        ),
    )


async def review_payment_agreement(
    info: Info, input: ReviewPaymentAgreementInput
) -> PaymentAgreementPayload:
    principal = info.context.principal
    ids = scoped_or_refusal(input.agreement_id, "PaymentAgreement", "agreementId")
    if isinstance(ids, Outcome):
        return await _agreement_payload(info, ids)
    partner_id, agreement_id = ids

    async def action() -> dict[str, str]:
        found = await service.review_agreement(
            principal, partner_id, agreement_id, approve=input.approve, note=input.note
        )
        return {"partner": found.partner_id, "agreement": found.agreement_id}

    return await _agreement_payload(
        info,
        await run_mutation(
            principal,
            "reviewPaymentAgreement",
            input.idempotency_key,
            {
                "partner": partner_id,
                "agreement": agreement_id,
                "approve": input.approve,
                "note": input.note,
            },
            action,
        ),
    )


async def request_payment_contract(
    info: Info, input: RequestPaymentContractInput
) -> PaymentContractPayload:
    principal = info.context.principal
    customer_id = id_or_refusal(input.customer_id, "Customer", "customerId")
    if isinstance(customer_id, Outcome):
        return await _contract_payload(info, customer_id)

    async def action() -> dict[str, str]:
        found = await service.request_contract(
            principal, customer_id=customer_id, amount=input.amount, purpose=input.purpose
        )
        return {"partner": found.partner_id, "contract": found.contract_id}

    return await _contract_payload(
        info,
        await run_mutation(
            principal,
            "requestPaymentContract",
            input.idempotency_key,
            {"customer": customer_id, "amount": input.amount, "purpose": input.purpose},
            action,
        ),
    )


async def cancel_payment_contract(
    info: Info, input: CancelPaymentContractInput
) -> PaymentContractPayload:
    principal = info.context.principal
    ids = scoped_or_refusal(input.contract_id, "PaymentContract", "contractId")
    if isinstance(ids, Outcome):
        return await _contract_payload(info, ids)
    partner_id, contract_id = ids

    async def action() -> dict[str, str]:
        found = await service.cancel_contract(principal, partner_id, contract_id)
        return {"partner": found.partner_id, "contract": found.contract_id}

    return await _contract_payload(
        info,
        await run_mutation(
            principal,
            "cancelPaymentContract",
            input.idempotency_key,
            {"partner": partner_id, "contract": contract_id},
            action,
        ),
    )


async def review_payment_contract(
    info: Info, input: ReviewPaymentContractInput
) -> PaymentContractPayload:
    principal = info.context.principal
    ids = scoped_or_refusal(input.contract_id, "PaymentContract", "contractId")
    if isinstance(ids, Outcome):
        return await _contract_payload(info, ids)
    partner_id, contract_id = ids

    async def action() -> dict[str, str]:
        found = await service.review_contract(
            principal, partner_id, contract_id, approve=input.approve, note=input.note
        )
        return {"partner": found.partner_id, "contract": found.contract_id}

    return await _contract_payload(
        info,
        await run_mutation(
            principal,
            "reviewPaymentContract",
            input.idempotency_key,
            {
                "partner": partner_id,
                "contract": contract_id,
                "approve": input.approve,
                "note": input.note,
            },
            action,
        ),
    )


@strawberry.type
class Mutation:
    create_payment_agreement: PaymentAgreementPayload = access.mutation(
        "Mutation.createPaymentAgreement",
        create_payment_agreement,
        "Create a third-party payment agreement; it waits for the provider's review.",
    )
    revoke_payment_agreement: PaymentAgreementPayload = access.mutation(
        "Mutation.revokePaymentAgreement",
        revoke_payment_agreement,
        "Revoke an agreement pending review or active.",
    )
    review_payment_agreement: PaymentAgreementPayload = access.mutation(
        "Mutation.reviewPaymentAgreement",
        review_payment_agreement,
        "Approve or reject an agreement pending review.",
    )
    request_payment_contract: PaymentContractPayload = access.mutation(
        "Mutation.requestPaymentContract",
        request_payment_contract,
        "Request a payment contract for a reseller customer (advisory customers request "
        "their own).",
    )
    cancel_payment_contract: PaymentContractPayload = access.mutation(
        "Mutation.cancelPaymentContract",
        cancel_payment_contract,
        "Cancel a submitted payment contract.",
    )
    review_payment_contract: PaymentContractPayload = access.mutation(
        "Mutation.reviewPaymentContract",
        review_payment_contract,
        "Approve or reject a submitted payment contract.",
    )
