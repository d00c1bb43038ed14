"""The agreements and contracts lists, and the provider's review queues."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of, partner_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.finance.enums import PaymentAgreementStatus, PaymentContractStatus
from partner_center.api.finance.types import (
    PaymentAgreementConnection,
    PaymentAgreementNode,
    PaymentContractConnection,
    contract_nodes,
)
from partner_center.core.permissions import target_partner
from partner_center.finance import service


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
        await contract_nodes(info, found),
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
        await contract_nodes(info, found),
        has_next,
        "contract-review",
        lambda n: n.contract.contract_id,
        after,
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
