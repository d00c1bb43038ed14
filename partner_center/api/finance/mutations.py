"""The agreements' and contracts' changes, each once per idempotency key through
run_mutation; the payload reloads what the action changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

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
from partner_center.finance.agreements import Agreement, AgreementDraft, PartyType
from partner_center.finance.contracts import Contract


def _agreement_ids(found: Agreement) -> dict[str, str]:
    return {"partner": found.partner_id, "agreement": found.agreement_id}


def _contract_ids(found: Contract) -> dict[str, str]:
    return {"partner": found.partner_id, "contract": found.contract_id}


async def _agreement_payload(info: Info, outcome: Outcome[Any]) -> PaymentAgreementPayload:
    ids = outcome.result or {}
    found = None
    if ids.get("partner") and ids.get("agreement"):
        found = await service.get_agreement(
            info.context.principal, ids["partner"], ids["agreement"]
        )
    return PaymentAgreementPayload(
        agreement=PaymentAgreementNode.of(found) if found else None, errors=outcome.errors
    )


async def _contract_payload(info: Info, outcome: Outcome[Any]) -> PaymentContractPayload:
    ids = outcome.result or {}
    found = None
    if ids.get("partner") and ids.get("contract"):
        found = await service.get_contract(info.context.principal, ids["partner"], ids["contract"])
    node = (await contract_nodes(info, [found]))[0] if found else None
    return PaymentContractPayload(contract=node, errors=outcome.errors)


P = TypeVar("P", PaymentAgreementPayload, PaymentContractPayload)
R = TypeVar("R", Agreement, Contract)


class _ChangeInput(Protocol):
    idempotency_key: str | None


@dataclass(frozen=True)
class _Record(Generic[P, R]):
    """An agreement or a contract, as the mutations that change one address it."""

    type_name: str  # of its global ID
    field: str  # the input field that names it
    request_key: str  # its ID in the request the idempotency record keeps
    ids: Callable[[R], dict[str, str]]
    payload: Callable[[Info, Outcome[Any]], Awaitable[P]]

    async def change(
        self,
        info: Info,
        mutation: str,
        input: _ChangeInput,
        call: Callable[..., Awaitable[R]],
        **arguments: Any,
    ) -> P:
        """`call(principal, partner_id, record_id, **arguments)` of the service, once per
        idempotency key; a malformed ID is refused in the payload, which reloads the
        record as the change left it."""
        parsed = scoped_or_refusal(
            getattr(input, f"{self.request_key}_id"), self.type_name, self.field
        )
        if isinstance(parsed, Outcome):
            return await self.payload(info, parsed)
        partner_id, record_id = parsed
        principal = info.context.principal

        async def action() -> dict[str, str]:
            return self.ids(await call(principal, partner_id, record_id, **arguments))

        request = {"partner": partner_id, self.request_key: record_id, **arguments}
        outcome = await run_mutation(principal, mutation, input.idempotency_key, request, action)
        return await self.payload(info, outcome)


_AGREEMENT = _Record[PaymentAgreementPayload, Agreement](
    "PaymentAgreement", "agreementId", "agreement", _agreement_ids, _agreement_payload
)
_CONTRACT = _Record[PaymentContractPayload, Contract](
    "PaymentContract", "contractId", "contract", _contract_ids, _contract_payload
)


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
        return _agreement_ids(await service.create_agreement(principal, draft))

    return await _agreement_payload(
        info,
        await run_mutation(
            principal, "createPaymentAgreement", input.idempotency_key, request, action
        ),
    )


async def revoke_payment_agreement(
    info: Info, input: RevokePaymentAgreementInput
) -> PaymentAgreementPayload:
    return await _AGREEMENT.change(info, "revokePaymentAgreement", input, service.revoke_agreement)


async def review_payment_agreement(
    info: Info, input: ReviewPaymentAgreementInput
) -> PaymentAgreementPayload:
    return await _AGREEMENT.change(
        info,
        "reviewPaymentAgreement",
        input,
        service.review_agreement,
        approve=input.approve,
        note=input.note,
    )


async def request_payment_contract(
    info: Info, input: RequestPaymentContractInput
) -> PaymentContractPayload:
    principal = info.context.principal
    customer_id = id_or_refusal(input.customer_id, "Customer", "customerId")
    if isinstance(customer_id, Outcome):
        return await _contract_payload(info, customer_id)

    async def action() -> dict[str, str]:
        return _contract_ids(
            await service.request_contract(
                principal, customer_id=customer_id, amount=input.amount, purpose=input.purpose
            )
        )

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
    return await _CONTRACT.change(info, "cancelPaymentContract", input, service.cancel_contract)


async def review_payment_contract(
    info: Info, input: ReviewPaymentContractInput
) -> PaymentContractPayload:
    return await _CONTRACT.change(
        info,
        "reviewPaymentContract",
        input,
        service.review_contract,
        approve=input.approve,
        note=input.note,
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
