"""Finance (Sales > Billing): third-party payment agreements and request-payment
contracts. An account number goes in once and only its mask ever comes out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of, partner_of, scoped, scoped_id_of, split
from partner_center.api.core.money import Money
from partner_center.api.core.mutations import Outcome, refused, run_mutation
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.core.anonymize import mask_name
from partner_center.core.clock import beijing_date, from_iso, from_iso_or_none
from partner_center.core.errors import BadInput, Forbidden
from partner_center.core.permissions import target_partner
from partner_center.finance import account_numbers, service
from partner_center.finance.agreements import (
    Agreement,
    AgreementDraft,
    AgreementStatus,
    PartyType,
)
from partner_center.finance.contracts import Contract, ContractStatus

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(AgreementStatus, name="PaymentAgreementStatus")
PaymentAgreementStatus: TypeAlias = AgreementStatus
strawberry.enum(PartyType, name="EntrustedPartyType")
EntrustedPartyType: TypeAlias = PartyType
strawberry.enum(ContractStatus, name="PaymentContractStatus")
PaymentContractStatus: TypeAlias = ContractStatus


@strawberry.type(
    name="PaymentAgreement",
    description="A third-party payment agreement "
    "(代付): who pays the partner's bills from an account in another name.",
)
class PaymentAgreementNode(relay.Node):
    agreement_id: relay.NodeID[str]
    agreement: strawberry.Private[Agreement]
    today: strawberry.Private[date]

    @classmethod
    def of(cls, agreement: Agreement) -> PaymentAgreementNode:
        return cls(
            agreement_id=scoped(agreement.partner_id, agreement.agreement_id),
            agreement=agreement,
            today=beijing_date(service.now()),
        )

    @strawberry.field(description="The partner the agreement is for.")
    def partner(self) -> relay.GlobalID:
        return relay.GlobalID("Partner", self.agreement.partner_id)

    @strawberry.field
    def payer_account_name(self) -> str:
        return self.agreement.payer_account_name

    @strawberry.field
    def bank(self) -> str:
        return self.agreement.bank

    @strawberry.field(description="The last 4 digits only; the whole number is never kept.")
    def account_number_masked(self) -> str:
        return self.agreement.account_masked

    @strawberry.field
    def entrusted_party(self) -> str:
        return self.agreement.entrusted_party

    @strawberry.field
    def entrusted_party_type(self) -> EntrustedPartyType:
        return self.agreement.entrusted_party_type

    @strawberry.field(description="Beijing date, inclusive.")
    def valid_from(self) -> date:
        return self.agreement.valid_from

    @strawberry.field(description="Beijing date, inclusive; EXPIRED the day after.")
    def valid_until(self) -> date:
        return self.agreement.valid_until

    @strawberry.field
    def status(self) -> PaymentAgreementStatus:
        return self.agreement.status(self.today)

    @strawberry.field
    def created_at(self) -> datetime:
        return from_iso(self.agreement.created_at)

    @strawberry.field
    def reviewed_at(self) -> datetime | None:
        return from_iso_or_none(self.agreement.reviewed_at)

    @strawberry.field
    def review_note(self) -> str | None:
        return self.agreement.review_note

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return from_iso_or_none(self.agreement.revoked_at)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            partner_id, agreement_id = split(node_id) or ("", "")
            try:
                found = await service.get_agreement(
                    info.context.principal, partner_id, agreement_id
                )
            except Forbidden:
                found = None
            results.append(cls.of(found) if found else None)
        return results


@strawberry.type(name="PaymentAgreementConnection")
class PaymentAgreementConnection(relay.Connection[PaymentAgreementNode]):
    pass


@strawberry.type(
    name="PaymentContract",
    description="A request-payment contract (请款合同) "
    "for a reseller customer's prepayment top-up.",
)
class PaymentContractNode(relay.Node):
    contract_id: relay.NodeID[str]
    contract: strawberry.Private[Contract]
    customer_name_snapshot: strawberry.Private[str]

    @strawberry.field(description="The partner that requested the contract.")
    def partner(self) -> relay.GlobalID:
        return relay.GlobalID("Partner", self.contract.partner_id)

    @strawberry.field
    def customer(self) -> relay.GlobalID:
        return relay.GlobalID("Customer", self.contract.customer_id)

    @strawberry.field(description="Masked (customers-menu data).")
    def customer_name(self) -> str:
        return mask_name(self.customer_name_snapshot)

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.contract.amount)

    @strawberry.field
    def purpose(self) -> str:
        return self.contract.purpose

    @strawberry.field
    def status(self) -> PaymentContractStatus:
        return self.contract.status

    @strawberry.field
    def requested_at(self) -> datetime:
        return from_iso(self.contract.requested_at)

    @strawberry.field
    def requested_by(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.contract.requested_by)

    @strawberry.field
    def reviewed_at(self) -> datetime | None:
        return from_iso_or_none(self.contract.reviewed_at)

    @strawberry.field
    def review_note(self) -> str | None:
        return self.contract.review_note

    @strawberry.field
    def cancelled_at(self) -> datetime | None:
        return from_iso_or_none(self.contract.cancelled_at)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            partner_id, contract_id = split(node_id) or ("", "")
            try:
                found = await service.get_contract(info.context.principal, partner_id, contract_id)
            except Forbidden:
                found = None
            results.append((await _contract_nodes(info, [found]))[0] if found else None)
        return results


async def _contract_nodes(info: Info, contracts: list[Contract]) -> list[PaymentContractNode]:
    names: dict[tuple[str, str], str] = {}
    for partner_id in {c.partner_id for c in contracts}:
        ids = {c.customer_id for c in contracts if c.partner_id == partner_id}
        found = await service.customer_names(info.context.principal, partner_id, ids)
        names.update({(partner_id, cid): name for cid, name in found.items()})
    return [
        PaymentContractNode(
            contract_id=scoped(c.partner_id, c.contract_id),
            contract=c,
            customer_name_snapshot=names.get((c.partner_id, c.customer_id), ""),
        )
        for c in contracts
    ]


@strawberry.type(name="PaymentContractConnection")
class PaymentContractConnection(relay.Connection[PaymentContractNode]):
    pass


# -- queries -------------------------------------------------------------------------------


async def payment_agreements(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: PaymentAgreementStatus | None = None,
    partner_id: relay.GlobalID | None = None,
) -> PaymentAgreementConnection:
    principal = info.context.principal
    target = target_partner(principal, partner_of(partner_id))
    page = page_request(first, after, f"agreement-{target}")
    found, has_next = await service.list_agreements(
        principal, target, status=status, after=page.after, limit=page.size
    )
    return build_connection(
        PaymentAgreementConnection,
        [PaymentAgreementNode.of(a) for a in found],
        has_next,
        f"agreement-{target}",
        lambda n: n.agreement.agreement_id,
        after,
    )


async def payment_contracts(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: PaymentContractStatus | None = None,
    customer_id: relay.GlobalID | None = None,
    partner_id: relay.GlobalID | None = None,
) -> PaymentContractConnection:
    principal = info.context.principal
    target = target_partner(principal, partner_of(partner_id))
    page = page_request(first, after, f"contract-{target}")
    customer = node_id_of(customer_id, "Customer", "customerId") if customer_id else None
    found, has_next = await service.list_contracts(
        principal,
        target,
        status=status,
        customer_id=customer,
        after=page.after,
        limit=page.size,
    )
    return build_connection(
        PaymentContractConnection,
        await _contract_nodes(info, found),
        has_next,
        f"contract-{target}",
        lambda n: n.contract.contract_id,
        after,
    )


async def pending_payment_agreements(
    info: Info, first: int | None = None, after: str | None = None
) -> PaymentAgreementConnection:
    page = page_request(first, after, "agreement-review")
    found, has_next = await service.pending_agreements(
        info.context.principal, after_id=page.after, limit=page.size
    )
    return build_connection(
        PaymentAgreementConnection,
        [PaymentAgreementNode.of(a) for a in found],
        has_next,
        "agreement-review",
        lambda n: n.agreement.agreement_id,
        after,
    )


async def pending_payment_contracts(
    info: Info, first: int | None = None, after: str | None = None
) -> PaymentContractConnection:
    page = page_request(first, after, "contract-review")
    found, has_next = await service.pending_contracts(
        info.context.principal, after_id=page.after, limit=page.size
    )
    return build_connection(
        PaymentContractConnection,
        await _contract_nodes(info, found),
        has_next,
        "contract-review",
        lambda n: n.contract.contract_id,
        after,
    )


# -- mutations -----------------------------------------------------------------------------


@strawberry.type
class PaymentAgreementPayload:
    agreement: PaymentAgreementNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentContractPayload:
    contract: PaymentContractNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreatePaymentAgreementInput:
    payer_account_name: str
    bank: str
    account_number: str = strawberry.field(
        description="Digits (spaces and dashes allowed). Never stored or returned whole."
    )
    entrusted_party: str
    entrusted_party_type: EntrustedPartyType
    valid_from: date
    valid_until: date
    idempotency_key: str | None = None


@strawberry.input
class RevokePaymentAgreementInput:
    agreement_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.input
class ReviewPaymentAgreementInput:
    agreement_id: relay.GlobalID
    approve: bool
    note: str | None = strawberry.field(default=None, description="Required to reject.")
    idempotency_key: str | None = None


@strawberry.input
class RequestPaymentContractInput:
    customer_id: relay.GlobalID
    amount: str = strawberry.field(description="Decimal string, above 0, at most two decimals.")
    purpose: str
    idempotency_key: str | None = None


@strawberry.input
class CancelPaymentContractInput:
    contract_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.input
class ReviewPaymentContractInput:
    contract_id: relay.GlobalID
    approve: bool
    note: str | None = None
    idempotency_key: str | None = None


async def _agreement_payload(info: Info, outcome: Outcome) -> PaymentAgreementPayload:
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


async def _contract_payload(info: Info, outcome: Outcome) -> PaymentContractPayload:
    partner_id, contract_id = (
        (outcome.result or {}).get("partner"),
        (outcome.result or {}).get("contract"),
    )
    found = None
    if partner_id and contract_id:
        found = await service.get_contract(info.context.principal, partner_id, contract_id)
    node = (await _contract_nodes(info, [found]))[0] if found else None
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


def _id(gid: relay.GlobalID, type_name: str, field: str) -> str | Outcome:
    try:
        return node_id_of(gid, type_name, field)
    except BadInput as error:
        return refused(error)


def _scoped(gid: relay.GlobalID, type_name: str, field: str) -> tuple[str, str] | Outcome:
    try:
        return scoped_id_of(gid, type_name, field)
    except BadInput as error:
        return refused(error)


async def revoke_payment_agreement(
    info: Info, input: RevokePaymentAgreementInput
) -> PaymentAgreementPayload:
    principal = info.context.principal
    ids = _scoped(input.agreement_id, "PaymentAgreement", "agreementId")
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
    ids = _scoped(input.agreement_id, "PaymentAgreement", "agreementId")
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
    customer_id = _id(input.customer_id, "Customer", "customerId")
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
    ids = _scoped(input.contract_id, "PaymentContract", "contractId")
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
    ids = _scoped(input.contract_id, "PaymentContract", "contractId")
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
class Query:
    payment_agreements: PaymentAgreementConnection = access.query(
        "Query.paymentAgreements",
        payment_agreements,
        "Third-party payment agreements, newest first, optionally by status (the provider's "
        "operations: of partnerId).",
    )
    payment_contracts: PaymentContractConnection = access.query(
        "Query.paymentContracts",
        payment_contracts,
        "Request-payment contracts, newest first (a customer manager: its customers'; the "
        "provider's operations: of partnerId).",
    )
    pending_payment_agreements: PaymentAgreementConnection = access.query(
        "Query.pendingPaymentAgreements",
        pending_payment_agreements,
        "The provider's review queue: agreements of every partner awaiting review, oldest "
        "first (on a token naming one partner, its own).",
    )
    pending_payment_contracts: PaymentContractConnection = access.query(
        "Query.pendingPaymentContracts",
        pending_payment_contracts,
        "The provider's review queue: contracts of every partner awaiting review, oldest "
        "first (on a token naming one partner, its own).",
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
