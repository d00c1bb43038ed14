"""Payment agreements and contracts, their connections and payloads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.ids import scoped, split
from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.core.payloads import Payload
from partner_center.api.finance.enums import (
    EntrustedPartyType,
    PaymentAgreementStatus,
    PaymentContractStatus,
)
from partner_center.api.finance.loaders import agreement_loader, contract_loader
from partner_center.core.anonymize import mask_name
from partner_center.core.clock import beijing_date, from_iso, from_iso_or_none
from partner_center.finance import service
from partner_center.finance.agreements import Agreement
from partner_center.finance.contracts import Contract


@strawberry.type(
    name="PaymentAgreement",
    description="A third-party payment agreement "
    "(代付): who pays the partner's bills from an account in another name.",
)
class PaymentAgreementNode(LoadedNode, relay.Node):
    agreement_id: relay.NodeID[str]
    agreement: strawberry.Private[Agreement]
    # Plain fields (read from the record, no resolver per row), filled by `of`.
    partner: relay.GlobalID = strawberry.field(description="The partner the agreement is for.")
    payer_account_name: str
    bank: str
    account_number_masked: str = strawberry.field(
        description="The last 4 digits only; the whole number is never kept."
    )
    entrusted_party: str
    entrusted_party_type: EntrustedPartyType
    valid_from: date = strawberry.field(description="Beijing date, inclusive.")
    valid_until: date = strawberry.field(
        description="Beijing date, inclusive; EXPIRED the day after."
    )
    status: PaymentAgreementStatus
    created_at: datetime
    reviewed_at: datetime | None
    review_note: str | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, agreement: Agreement) -> PaymentAgreementNode:
        return cls(
            agreement_id=scoped(agreement.partner_id, agreement.agreement_id),
            agreement=agreement,
            partner=relay.GlobalID("Partner", agreement.partner_id),
            payer_account_name=agreement.payer_account_name,
            bank=agreement.bank,
            account_number_masked=agreement.account_masked,
            entrusted_party=agreement.entrusted_party,
            entrusted_party_type=agreement.entrusted_party_type,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
            # An active agreement expires by the Beijing date, so its status is today's.
            status=agreement.status(beijing_date(service.now())),
            created_at=from_iso(agreement.created_at),
            reviewed_at=from_iso_or_none(agreement.reviewed_at),
            review_note=agreement.review_note,
            revoked_at=from_iso_or_none(agreement.revoked_at),
        )

    node_loader = agreement_loader
    loader_key = split


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
    # Plain fields (read from the record, no resolver per row), filled by `of`.
    partner: relay.GlobalID = strawberry.field(
        description="The partner that requested the contract."
    )
    customer: relay.GlobalID
    customer_name: str = strawberry.field(description="Masked (customers-menu data).")
    amount: Money
    purpose: str
    status: PaymentContractStatus
    requested_at: datetime
    requested_by: relay.GlobalID
    reviewed_at: datetime | None
    review_note: str | None
    cancelled_at: datetime | None

    @classmethod
    def of(cls, contract: Contract, customer_name: str) -> PaymentContractNode:
        return cls(
            contract_id=scoped(contract.partner_id, contract.contract_id),
            contract=contract,
            partner=relay.GlobalID("Partner", contract.partner_id),
            customer=relay.GlobalID("Customer", contract.customer_id),
            # R1: customer names are customers-menu data; the billing menu sees them masked.
            customer_name=mask_name(customer_name),
            amount=Money.of(contract.amount),
            purpose=contract.purpose,
            status=contract.status,
            requested_at=from_iso(contract.requested_at),
            requested_by=relay.GlobalID("User", contract.requested_by),
            reviewed_at=from_iso_or_none(contract.reviewed_at),
            review_note=contract.review_note,
            cancelled_at=from_iso_or_none(contract.cancelled_at),
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        keys = [split(node_id) or ("", "") for node_id in node_ids]
        found = await contract_loader(info).load_many(keys)
        nodes = iter(await contract_nodes(info, [c for c in found if c]))
        return [next(nodes) if c else None for c in found]


async def contract_nodes(info: Info, contracts: list[Contract]) -> list[PaymentContractNode]:
    """The contracts as nodes, with their customers' names read in one batch per partner."""
    names: dict[tuple[str, str], str] = {}
    for partner_id in {c.partner_id for c in contracts}:
        ids = {c.customer_id for c in contracts if c.partner_id == partner_id}
        found = await service.customer_names(info.context.principal, partner_id, ids)
        names.update({(partner_id, cid): name for cid, name in found.items()})
    return [
        PaymentContractNode.of(c, names.get((c.partner_id, c.customer_id), "")) for c in contracts
    ]


@strawberry.type(name="PaymentContractConnection")
class PaymentContractConnection(relay.Connection[PaymentContractNode]):
    pass


@strawberry.type
class PaymentAgreementPayload(Payload):
    agreement: PaymentAgreementNode | None = None


@strawberry.type
class PaymentContractPayload(Payload):
    contract: PaymentContractNode | None = None
