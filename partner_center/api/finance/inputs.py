"""The inputs of the agreements' and contracts' changes, and the IDs they name."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

from partner_center.api.core.ids import node_id_of, scoped_id_of
from partner_center.api.core.mutations import Outcome, refused
from partner_center.api.finance.enums import EntrustedPartyType
from partner_center.core.errors import BadInput


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


# A mutation's ID that does not parse is refused in its payload, before anything runs.


def id_or_refusal(gid: relay.GlobalID, type_name: str, field: str) -> str | Outcome[object]:
    try:
        return node_id_of(gid, type_name, field)
    except BadInput as error:
        return refused(error)


def scoped_or_refusal(
    gid: relay.GlobalID, type_name: str, field: str
) -> tuple[str, str] | Outcome[object]:
    try:
        return scoped_id_of(gid, type_name, field)
    except BadInput as error:
        return refused(error)
