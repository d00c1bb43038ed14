"""Payment agreements and request-payment contracts for a caller (R1, R2), independent
of GraphQL. A partner's users act on their own partner's records; the provider's
operations review any partner's (`may_act_for`). `now` is read here and handed to the
rules."""

from __future__ import annotations

import asyncio
from datetime import datetime

from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import beijing_date, utcnow
from partner_center.core.errors import Refused
from partner_center.core.permissions import (
    managed_customer_scope,
    may_act_for,
    require_menu,
    require_partner_side,
    require_provider_operations,
    reviews_every_partner,
)
from partner_center.finance import review_queue
from partner_center.finance.agreements import (
    Agreement,
    AgreementDraft,
    AgreementStatus,
    AgreementStore,
    validate,
)
from partner_center.finance.codes import FinanceCode
from partner_center.finance.contracts import (
    Contract,
    ContractStatus,
    ContractStore,
    check_customer,
    parse_request_amount,
)
from partner_center.finance.models import FinanceRecord
from partner_center.storage.models import CustomerItem


def now() -> datetime:
    return utcnow()


# -- payment agreements -------------------------------------------------------------------


async def get_agreement(
    principal: Principal, partner_id: str, agreement_id: str
) -> Agreement | None:
    require_menu(principal, Menu.BILLING)
    if not may_act_for(principal, partner_id):
        return None
    return await asyncio.to_thread(AgreementStore(partner_id).get, agreement_id)


async def list_agreements(
    principal: Principal,
    partner_id: str,
    *,
    status: AgreementStatus | None,
    after: str | None,
    limit: int,
) -> tuple[list[Agreement], bool]:
    require_menu(principal, Menu.BILLING)
    if not may_act_for(principal, partner_id):
        return [], False
    return await asyncio.to_thread(
        AgreementStore(partner_id).page,
        status=status,
        today=beijing_date(now()),
        after_id=after,
        limit=limit,
    )


async def create_agreement(principal: Principal, draft: AgreementDraft) -> Agreement:
    """Always for the caller's own partner."""
    require_partner_side(principal, Menu.BILLING)
    instant = now()
    cleaned = validate(draft, beijing_date(instant))
    return await asyncio.to_thread(
        AgreementStore(principal.partner_id).create, cleaned, user_id=principal.user_id, now=instant
    )


def _agreement_not_found() -> Refused:
    return Refused(FinanceCode.NOT_FOUND, "no payment agreement with this ID", "agreementId")


async def revoke_agreement(principal: Principal, partner_id: str, agreement_id: str) -> Agreement:
    require_partner_side(principal, Menu.BILLING)
    if not may_act_for(principal, partner_id):
        raise _agreement_not_found()
    return await asyncio.to_thread(
        AgreementStore(partner_id).revoke, agreement_id, user_id=principal.user_id, now=now()
    )


async def review_agreement(
    principal: Principal, partner_id: str, agreement_id: str, *, approve: bool, note: str | None
) -> Agreement:
    require_provider_operations(principal)
    if not may_act_for(principal, partner_id):
        raise _agreement_not_found()  # operations on one partner's token review its own
    return await asyncio.to_thread(
        AgreementStore(partner_id).review,
        agreement_id,
        approve=approve,
        note=note,
        user_id=principal.user_id,
        now=now(),
    )


# -- request-payment contracts ------------------------------------------------------------


async def customer_names(
    principal: Principal, partner_id: str, customer_ids: set[str]
) -> dict[str, str]:
    """Names of a partner's customers (for masked display), by ID."""
    require_menu(principal, Menu.BILLING)
    if not customer_ids or not may_act_for(principal, partner_id):
        return {}

    def read() -> dict[str, str]:
        keys = [(partner_id, cid) for cid in sorted(customer_ids)]
        return {c.customer_id: c.name for c in CustomerItem.batch_get(keys)}

    return await asyncio.to_thread(read)


def _managed(partner_id: str, manager_id: str) -> set[str]:
    return {c.customer_id for c in CustomerItem.by_manager.query(f"{partner_id}#{manager_id}")}


async def get_contract(principal: Principal, partner_id: str, contract_id: str) -> Contract | None:
    require_menu(principal, Menu.BILLING)
    if not may_act_for(principal, partner_id):
        return None
    store = ContractStore(partner_id)
    contract = await asyncio.to_thread(store.get, contract_id)
    manager = managed_customer_scope(principal)
    if contract is not None and manager is not None:
        customer = await asyncio.to_thread(store.customer, contract.customer_id)
        if customer is None or customer.manager_id != manager:
            return None
    return contract


async def list_contracts(
    principal: Principal,
    partner_id: str,
    *,
    status: ContractStatus | None,
    customer_id: str | None,
    after: str | None,
    limit: int,
) -> tuple[list[Contract], bool]:
    require_menu(principal, Menu.BILLING)
    if not may_act_for(principal, partner_id):
        return [], False
    manager = managed_customer_scope(principal)
    visible = (
        await asyncio.to_thread(_managed, partner_id, manager) if manager is not None else None
    )
    return await asyncio.to_thread(
        ContractStore(partner_id).page,
        status=status,
        customer_id=customer_id,
        visible=visible,
        after_id=after,
        limit=limit,
    )


async def request_contract(
    principal: Principal, *, customer_id: str, amount: str, purpose: str
) -> Contract:
    """At any time, for a reseller customer of the caller's partner; an advisory customer
    is refused with a code saying it requests its own."""
    require_partner_side(principal, Menu.BILLING)
    value = parse_request_amount(amount)
    store = ContractStore(principal.partner_id)
    customer = check_customer(
        await asyncio.to_thread(store.customer, customer_id), managed_customer_scope(principal)
    )
    return await asyncio.to_thread(
        store.create,
        customer_id=customer.customer_id,
        amount=value,
        purpose=purpose,
        user_id=principal.user_id,
        now=now(),
    )


async def cancel_contract(principal: Principal, partner_id: str, contract_id: str) -> Contract:
    require_partner_side(principal, Menu.BILLING)
    if await get_contract(principal, partner_id, contract_id) is None:
        raise Refused(FinanceCode.NOT_FOUND, "no payment contract with this ID", "contractId")
    return await asyncio.to_thread(
        ContractStore(partner_id).cancel, contract_id, user_id=principal.user_id, now=now()
    )


async def review_contract(
    principal: Principal, partner_id: str, contract_id: str, *, approve: bool, note: str | None
) -> Contract:
    require_provider_operations(principal)
    if not may_act_for(principal, partner_id):
        raise Refused(FinanceCode.NOT_FOUND, "no payment contract with this ID", "contractId")
    return await asyncio.to_thread(
        ContractStore(partner_id).review,
        contract_id,
        approve=approve,
        note=note,
        user_id=principal.user_id,
        now=now(),
    )


# -- the provider's review queue ----------------------------------------------------------


def _queue_scope(principal: Principal) -> str | None:
    """Every partner's entries for operations on a platform token; their partner's on a
    token that names one."""
    require_provider_operations(principal)
    return None if reviews_every_partner(principal) else principal.partner_id


async def pending_agreements(
    principal: Principal, *, after_id: str | None, limit: int
) -> tuple[list[Agreement], bool]:
    """Agreements awaiting review, oldest first (expired ones are not waiting)."""
    scope = _queue_scope(principal)
    today = beijing_date(now())

    def waiting(record: FinanceRecord) -> Agreement | None:
        agreement = Agreement.from_record(record)
        return agreement if agreement.status(today) is AgreementStatus.PENDING_REVIEW else None

    return await asyncio.to_thread(
        review_queue.AGREEMENTS.pending,
        waiting=waiting,
        partner_id=scope,
        after_id=after_id,
        limit=limit,
    )


async def pending_contracts(
    principal: Principal, *, after_id: str | None, limit: int
) -> tuple[list[Contract], bool]:
    """Contracts awaiting review, oldest first."""
    scope = _queue_scope(principal)

    def waiting(record: FinanceRecord) -> Contract | None:
        contract = Contract.from_record(record)
        return contract if contract.status is ContractStatus.SUBMITTED else None

    return await asyncio.to_thread(
        review_queue.CONTRACTS.pending,
        waiting=waiting,
        partner_id=scope,
        after_id=after_id,
        limit=limit,
    )
