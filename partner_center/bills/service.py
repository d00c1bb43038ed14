"""Partner bills for a caller: R1/R2 checks, then the store. Independent of GraphQL.

Every function names the partner whose bill it is about: a partner's users reach their
own partner's bills, the provider's operations any partner's (`may_act_for`). `now` is
read here (one place) and handed to the plain rules, so tests can move it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from partner_center.bills.bill import Adjustment, Bill, BillItem, BillStatus
from partner_center.bills.codes import BillCode
from partner_center.bills.months import Month
from partner_center.bills.store import BillStore, ConcurrentChange, StatusRefused
from partner_center.bills.timing import MonthState, state_of
from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import utcnow
from partner_center.core.errors import BadInput, NotFound, Refused
from partner_center.core.money import MoneyError, parse_amount
from partner_center.core.permissions import (
    may_act_for,
    require_partner_bills,
    require_partner_side,
    require_provider_operations,
)

MAX_ADJUSTMENT = Decimal("1000000000.00")
MAX_REASON = 200
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def now() -> datetime:
    return utcnow()


def bill_month(bill_id: str) -> Month | None:
    """The month a bill ID names, or None for anything that is not a bill ID."""
    try:
        return Month.parse(bill_id)
    except BadInput:
        return None


@dataclass(frozen=True)
class MonthView:
    partner_id: str
    state: MonthState
    bill: Bill | None


async def month_view(principal: Principal, partner_id: str, month_text: str) -> MonthView:
    """R11/R12: a month's bill if generated; otherwise why not and when it is due —
    never a partial bill computed from the consumption so far."""
    require_partner_bills(principal)
    month = Month.parse(month_text)
    bill = None
    if may_act_for(principal, partner_id):
        bill = await asyncio.to_thread(BillStore(partner_id).get, month)
    return MonthView(
        partner_id=partner_id, bill=bill, state=state_of(month, now(), generated=bill is not None)
    )


async def get_bill(principal: Principal, partner_id: str, bill_id: str) -> Bill | None:
    """The bill, or None for one the caller may not see or that does not exist."""
    require_partner_bills(principal)
    month = bill_month(bill_id)
    if month is None or not may_act_for(principal, partner_id):
        return None
    return await asyncio.to_thread(BillStore(partner_id).get, month)


async def list_bills(
    principal: Principal, partner_id: str, *, after: str | None, limit: int
) -> tuple[list[Bill], bool]:
    require_partner_bills(principal)
    if not may_act_for(principal, partner_id):
        return [], False
    return await asyncio.to_thread(BillStore(partner_id).page, after_month=after, limit=limit)


async def bill_items(
    principal: Principal, bill: Bill, *, after_seq: int | None, limit: int
) -> tuple[list[BillItem], bool]:
    require_partner_bills(principal)
    if not may_act_for(principal, bill.partner_id):
        return [], False
    return await asyncio.to_thread(
        BillStore(bill.partner_id).items, bill, after_seq=after_seq, limit=limit
    )


async def bill_adjustments(principal: Principal, bill: Bill) -> list[Adjustment]:
    require_partner_bills(principal)
    if not may_act_for(principal, bill.partner_id):
        return []
    return await asyncio.to_thread(BillStore(bill.partner_id).adjustments, bill.month)


async def _require_bill(principal: Principal, partner_id: str, bill_id: str) -> Bill:
    bill = await get_bill(principal, partner_id, bill_id)
    if bill is None:
        raise Refused(BillCode.NOT_FOUND, "no partner bill with this ID", "billId")
    return bill


def _status_refusal(error: StatusRefused, wanted: str) -> Refused:
    current = error.current.value if error.current else "missing"
    return Refused(
        BillCode.INVALID_STATUS,
        f"only a {wanted} bill can be changed this way; this one is {current}",
        "billId",
    )


async def confirm(principal: Principal, partner_id: str, bill_id: str) -> Bill:
    """The partner agrees to its bill: generated → confirmed."""
    require_partner_bills(principal)
    require_partner_side(principal, Menu.BILLING)
    bill = await _require_bill(principal, partner_id, bill_id)
    try:
        return await asyncio.to_thread(
            BillStore(bill.partner_id).confirm, bill.month, user_id=principal.user_id, now=now()
        )
    except StatusRefused as error:
        raise _status_refusal(error, BillStatus.GENERATED.value) from error


async def mark_paid(principal: Principal, partner_id: str, bill_id: str, reference: str) -> Bill:
    """The provider received the repayment: confirmed → paid."""
    require_provider_operations(principal)
    reference = (reference or "").strip()
    if not _REFERENCE.match(reference):
        raise Refused(
            BillCode.BAD_USER_INPUT,
            "paymentReference must be 1 to 64 letters, digits, '.', '_', '/' or '-'",
            "paymentReference",
        )
    bill = await _require_bill(principal, partner_id, bill_id)
    try:
        return await asyncio.to_thread(
            BillStore(bill.partner_id).mark_paid,
            bill.month,
            user_id=principal.user_id,
            reference=reference,
            now=now(),
        )
    except StatusRefused as error:
        raise _status_refusal(error, BillStatus.CONFIRMED.value) from error


def parse_adjustment(text: str) -> Decimal:
    try:
        amount = parse_amount(text)
    except MoneyError as exc:
        raise Refused(
            BillCode.BAD_USER_INPUT, 'amount must be a decimal number such as "-20.00"', "amount"
        ) from exc
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise Refused(BillCode.BAD_USER_INPUT, "amount has at most two decimals (cents)", "amount")
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise Refused(
            BillCode.BAD_USER_INPUT,
            f"amount must be non-zero and at most {MAX_ADJUSTMENT} either way",
            "amount",
        )
    return amount


async def adjust(
    principal: Principal, partner_id: str, bill_id: str, amount_text: str, reason: str
) -> tuple[Bill, Adjustment]:
    """A debit (positive) or credit (negative) on a generated bill, by the provider. The
    amount due never goes below zero: a larger credit is refused."""
    require_provider_operations(principal)
    amount = parse_adjustment(amount_text)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= MAX_REASON:
        raise Refused(
            BillCode.BAD_USER_INPUT, f"reason must be 1 to {MAX_REASON} characters", "reason"
        )
    bill = await _require_bill(principal, partner_id, bill_id)
    if bill.status is not BillStatus.GENERATED:
        raise Refused(
            BillCode.INVALID_STATUS,
            "a bill can be adjusted only before the partner "
            f"confirms it; this one is {bill.status.value}",
            "billId",
        )
    if bill.amount_due + amount < 0:
        raise Refused(
            BillCode.AMOUNT_DUE_NEGATIVE, "this credit is larger than the amount due", "amount"
        )
    try:
        return await asyncio.to_thread(
            BillStore(bill.partner_id).adjust,
            bill,
            amount=amount,
            reason=reason,
            user_id=principal.user_id,
            now=now(),
        )
    except StatusRefused as error:
        raise _status_refusal(error, BillStatus.GENERATED.value) from error
    except ConcurrentChange as error:
        raise Refused(
            BillCode.CONCURRENT_CHANGE,
            "the bill changed meanwhile; reload it and try again",
            "billId",
        ) from error


async def export_filter(principal: Principal, partner_id: str, bill_id: str) -> dict[str, str]:
    """The parameters of a bill export job. An export is the partner's own file (its job
    lives under the caller's partner), so only the bill's own partner exports it."""
    bill = None
    if partner_id == principal.partner_id:
        bill = await get_bill(principal, partner_id, bill_id)
    if bill is None:
        raise NotFound("no partner bill with this ID", field="partnerBill.billId")
    return {"bill_id": bill.bill_id}
