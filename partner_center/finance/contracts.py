"""Request-payment contracts (请款合同): the partner asks its own finance department to
top up a **reseller** customer's prepayment. They can be requested at any time.

Advisory customers pay the provider themselves, so they request their own contracts:
the partner's request is refused with a code saying so. A customer manager requests and
sees contracts of its assigned customers only (R2).

Status: submitted → approved | rejected (by the provider's reviewers) or cancelled (by
the partner, while submitted).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pynamodb.connection import Connection
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from partner_center.bills.rollup import ADVISORY, RESELLER
from partner_center.core.clock import to_iso
from partner_center.core.errors import Refused
from partner_center.core.ids import new_id
from partner_center.core.money import MoneyError, parse_amount
from partner_center.finance import review_queue
from partner_center.finance.codes import FinanceCode
from partner_center.finance.models import FinanceRecord
from partner_center.storage.models import CustomerItem
from partner_center.storage.transactions import transaction_connection

CONTRACT = "CON#"
MAX_AMOUNT = Decimal("100000000.00")  # one hundred million CNY per request
MAX_PURPOSE = 200
MAX_NOTE = 500


class ContractStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Contract:
    partner_id: str
    contract_id: str
    customer_id: str
    amount: Decimal
    purpose: str
    status: ContractStatus
    requested_by: str
    requested_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    review_note: str | None
    cancelled_at: str | None

    @classmethod
    def from_record(cls, r: FinanceRecord) -> Contract:
        return cls(
            partner_id=r.partner_id,
            contract_id=r.record_id,
            customer_id=r.customer_id or "",
            amount=r.amount or Decimal(0),
            purpose=r.purpose or "",
            status=ContractStatus(r.status),
            requested_by=r.created_by or "",
            requested_at=r.created_at or "",
            reviewed_by=r.reviewed_by,
            reviewed_at=r.reviewed_at,
            review_note=r.review_note,
            cancelled_at=r.closed_at,
        )


def parse_request_amount(text: str) -> Decimal:
    """A positive amount in yuan with at most two decimals, given as a string."""
    try:
        amount = parse_amount(text)
    except MoneyError as exc:
        raise Refused(
            FinanceCode.BAD_USER_INPUT,
            'amount must be a decimal number such as "1000.00"',
            "amount",
        ) from exc
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise Refused(
            FinanceCode.BAD_USER_INPUT, "amount has at most two decimals (cents)", "amount"
        )
    if not Decimal(0) < amount <= MAX_AMOUNT:
        raise Refused(
            FinanceCode.BAD_USER_INPUT, f"amount must be above 0 and at most {MAX_AMOUNT}", "amount"
        )
    return amount


def check_customer(customer: CustomerItem | None, manager_scope: str | None) -> CustomerItem:
    """The customer a contract may be requested for, or the refusal that says why not."""
    if customer is None or (manager_scope is not None and customer.manager_id != manager_scope):
        raise Refused(FinanceCode.NOT_FOUND, "no customer with this ID", "customerId")
    if customer.association == ADVISORY:
        raise Refused(
            FinanceCode.ADVISORY_CUSTOMER,
            "this customer is an advisory (referral) customer: it pays the provider "
            "itself and requests its own payment contracts; the partner requests "
            "them for reseller customers only",
            "customerId",
        )
    if customer.association != RESELLER:
        raise Refused(FinanceCode.NOT_FOUND, "no customer with this ID", "customerId")
    return customer


def _connection() -> Connection:
    return transaction_connection(FinanceRecord)


class ContractStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def customer(self, customer_id: str) -> CustomerItem | None:
        try:
            return CustomerItem.get(self.partner_id, customer_id)
        except CustomerItem.DoesNotExist:
            return None

    def get(self, contract_id: str) -> Contract | None:
        try:
            return Contract.from_record(
                FinanceRecord.get(self.partner_id, f"{CONTRACT}{contract_id}", consistent_read=True)
            )
        except FinanceRecord.DoesNotExist:
            return None

    def create(
        self, *, customer_id: str, amount: Decimal, purpose: str, user_id: str, now: datetime
    ) -> Contract:
        purpose = (purpose or "").strip()
        if not 1 <= len(purpose) <= MAX_PURPOSE:
            raise Refused(
                FinanceCode.BAD_USER_INPUT,
                f"purpose must be 1 to {MAX_PURPOSE} characters",
                "purpose",
            )
        contract_id = new_id()
        record = FinanceRecord(
            self.partner_id,
            f"{CONTRACT}{contract_id}",
            record_id=contract_id,
            status=ContractStatus.SUBMITTED.value,
            customer_id=customer_id,
            amount=amount,
            purpose=purpose,
            created_by=user_id,
            created_at=to_iso(now),
        )
        # Into the provider's review queue with the contract, atomically.
        with TransactWrite(connection=_connection()) as transaction:
            transaction.save(record, condition=FinanceRecord.record_key.does_not_exist())
            transaction.save(review_queue.CONTRACTS.entry(self.partner_id, contract_id))
        return Contract.from_record(record)

    def page(
        self,
        *,
        status: ContractStatus | None,
        customer_id: str | None,
        visible: set[str] | None,
        after_id: str | None,
        limit: int,
    ) -> tuple[list[Contract], bool]:
        """Newest first; `visible` (a manager's customers) narrows the result."""
        parts: list[Condition] = []
        if status is not None:
            parts.append(FinanceRecord.status == status.value)
        if customer_id is not None:
            parts.append(FinanceRecord.customer_id == customer_id)
        condition: Condition | None = None
        for part in parts:
            condition = part if condition is None else condition & part
        start = None
        if after_id:
            start = {
                "partner_id": {"S": self.partner_id},
                "record_key": {"S": f"{CONTRACT}{after_id}"},
            }
        found: list[Contract] = []
        for record in FinanceRecord.query(
            self.partner_id,
            FinanceRecord.record_key.startswith(CONTRACT),
            filter_condition=condition,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=max(limit + 1, 25),
        ):
            if visible is not None and record.customer_id not in visible:
                continue
            found.append(Contract.from_record(record))
            if len(found) > limit:
                break
        return found[:limit], len(found) > limit

    def _move(self, contract_id: str, target: ContractStatus, actions: list) -> Contract:
        record = FinanceRecord(self.partner_id, f"{CONTRACT}{contract_id}")
        try:
            record.update(
                actions=[FinanceRecord.status.set(target.value), *actions],
                condition=FinanceRecord.status == ContractStatus.SUBMITTED.value,
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            current = self.get(contract_id)
            if current is None:
                raise Refused(
                    FinanceCode.NOT_FOUND, "no payment contract with this ID", "contractId"
                ) from exc
            raise Refused(
                FinanceCode.INVALID_STATUS,
                f"only a submitted contract can change; this one is {current.status.value}",
                "contractId",
            ) from exc
        review_queue.CONTRACTS.remove(contract_id)
        return Contract.from_record(record)

    def cancel(self, contract_id: str, *, user_id: str, now: datetime) -> Contract:
        return self._move(
            contract_id,
            ContractStatus.CANCELLED,
            [FinanceRecord.closed_by.set(user_id), FinanceRecord.closed_at.set(to_iso(now))],
        )

    def review(
        self, contract_id: str, *, approve: bool, note: str | None, user_id: str, now: datetime
    ) -> Contract:
        note = (note or "").strip()
        if not approve and not note:
            raise Refused(FinanceCode.BAD_USER_INPUT, "a rejection needs a note saying why", "note")
        if len(note) > MAX_NOTE:
            raise Refused(
                FinanceCode.BAD_USER_INPUT, f"note is at most {MAX_NOTE} characters", "note"
            )
        actions = [
            FinanceRecord.reviewed_by.set(user_id),
            FinanceRecord.reviewed_at.set(to_iso(now)),
        ]
        if note:
            actions.append(FinanceRecord.review_note.set(note))
        return self._move(
            contract_id, ContractStatus.APPROVED if approve else ContractStatus.REJECTED, actions
        )
