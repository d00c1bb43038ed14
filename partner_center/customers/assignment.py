"""Assigning customers to customer managers (R2), one conditional transaction per
customer, each with its history record (R5 counts from the latest assignment).

A batch is a list of independent outcomes: one customer's refusal never undoes or
blocks another's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from partner_center.core.auth import Principal, Role
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.errors import BadInput, NotFound
from partner_center.core.ids import new_id
from partner_center.core.permissions import require_customer_assigner
from partner_center.customers.models import AssignmentItem
from partner_center.customers.store import CustomerStore
from partner_center.storage.models import CustomerItem, DirectoryItem
from partner_center.storage.transactions import transaction_connection

MAX_BATCH = 100
# A racing writer changed the customer between our read and write: read again.
ATTEMPTS = 3


class Code:
    NOT_FOUND = "NOT_FOUND"
    ALREADY_ASSIGNED = "ALREADY_ASSIGNED"
    NOT_ASSIGNED = "NOT_ASSIGNED"
    DUPLICATE = "DUPLICATE_IN_BATCH"
    CONFLICT = "CONFLICT"


MESSAGES = {
    Code.NOT_FOUND: "no customer with this ID",
    Code.ALREADY_ASSIGNED: "the customer is already assigned to this manager",
    Code.NOT_ASSIGNED: "the customer is not assigned to any manager",
    Code.DUPLICATE: "the customer appears more than once in this batch",
    Code.CONFLICT: "the customer changed while this request ran; try again",
}


@dataclass(frozen=True)
class Outcome:
    customer_id: str
    code: str | None = None  # None: done

    @property
    def ok(self) -> bool:
        return self.code is None


def _connection() -> Connection:
    return transaction_connection(CustomerItem)


def _history(
    partner_id: str,
    customer_id: str,
    action: str,
    from_manager: str | None,
    to_manager: str | None,
    by_user: str,
    at: datetime,
) -> AssignmentItem:
    stamp = to_iso(at)
    return AssignmentItem(
        partner_id,
        f"{customer_id}#{stamp}#{new_id()}",
        customer_id=customer_id,
        action=action,
        from_manager=from_manager,
        to_manager=to_manager,
        by_user=by_user,
        at=stamp,
    )


def _manager_unchanged(current: str | None) -> Condition:
    if current is None:
        return CustomerItem.customer_id.exists() & CustomerItem.manager_id.does_not_exist()
    return CustomerItem.manager_id == current


def require_manager(partner_id: str, manager_id: str) -> None:
    """The target must be a customer manager of the caller's own partner."""
    try:
        user = DirectoryItem.get(partner_id, f"USER#{manager_id}")
    except DirectoryItem.DoesNotExist:
        user = None
    if user is None or user.role != Role.CUSTOMER_MANAGER.value:
        raise NotFound("no customer manager with this ID", field="managerId")


def _each(customer_ids: list[str], one: Callable[[str], str | None]) -> list[Outcome]:
    if not 0 < len(customer_ids) <= MAX_BATCH:
        raise BadInput(f"give 1 to {MAX_BATCH} customers", field="customerIds")
    seen: set[str] = set()
    outcomes = []
    for customer_id in customer_ids:
        if customer_id in seen:
            outcomes.append(Outcome(customer_id, Code.DUPLICATE))
            continue
        seen.add(customer_id)
        outcomes.append(Outcome(customer_id, one(customer_id)))
    return outcomes


def assign(
    principal: Principal,
    customer_ids: list[str],
    manager_id: str,
    *,
    now: Callable[[], datetime] = utcnow,
) -> list[Outcome]:
    """Assign each customer to `manager_id` (from whoever had it, or nobody)."""
    require_customer_assigner(principal)
    partner_id = principal.partner_id
    require_manager(partner_id, manager_id)
    store = CustomerStore(partner_id)

    def one(customer_id: str) -> str | None:
        for _ in range(ATTEMPTS):
            # A strongly consistent read: the condition below expects what it saw.
            customer = store.get(customer_id, consistent=True)
            if customer is None:
                return Code.NOT_FOUND
            if customer.manager_id == manager_id:
                return Code.ALREADY_ASSIGNED
            at = now()
            action = "reassign" if customer.manager_id else "assign"
            history = _history(
                partner_id,
                customer_id,
                action,
                customer.manager_id,
                manager_id,
                principal.user_id,
                at,
            )
            try:
                with TransactWrite(connection=_connection()) as transaction:
                    transaction.update(
                        customer,
                        actions=[
                            CustomerItem.manager_id.set(manager_id),
                            CustomerItem.partner_manager.set(f"{partner_id}#{manager_id}"),
                            CustomerItem.assigned_at.set(at),
                            CustomerItem.assigned_by.set(principal.user_id),
                        ],
                        condition=_manager_unchanged(customer.manager_id),
                    )
                    transaction.save(history, condition=AssignmentItem.history_key.does_not_exist())
            except TransactWriteError as exc:
                if not _condition_failed(exc):
                    raise
                continue
            return None
        return Code.CONFLICT

    return _each(customer_ids, one)


def unassign(
    principal: Principal, customer_ids: list[str], *, now: Callable[[], datetime] = utcnow
) -> list[Outcome]:
    require_customer_assigner(principal)
    partner_id = principal.partner_id
    store = CustomerStore(partner_id)

    def one(customer_id: str) -> str | None:
        for _ in range(ATTEMPTS):
            # A strongly consistent read: the condition below expects what it saw.
            customer = store.get(customer_id, consistent=True)
            if customer is None:
                return Code.NOT_FOUND
            if customer.manager_id is None:
                return Code.NOT_ASSIGNED
            history = _history(
                partner_id,
                customer_id,
                "unassign",
                customer.manager_id,
                None,
                principal.user_id,
                now(),
            )
            try:
                with TransactWrite(connection=_connection()) as transaction:
                    transaction.update(
                        customer,
                        actions=[
                            CustomerItem.manager_id.remove(),
                            CustomerItem.partner_manager.remove(),
                            CustomerItem.assigned_at.remove(),
                            CustomerItem.assigned_by.remove(),
                        ],
                        condition=_manager_unchanged(customer.manager_id),
                    )
                    transaction.save(history, condition=AssignmentItem.history_key.does_not_exist())
            except TransactWriteError as exc:
                if not _condition_failed(exc):
                    raise
                continue
            return None
        return Code.CONFLICT

    return _each(customer_ids, one)


def _condition_failed(exc: TransactWriteError) -> bool:
    return any(r and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or [])


@dataclass(frozen=True)
class Change:
    customer_id: str
    action: str
    from_manager: str | None
    to_manager: str | None
    by_user: str
    at: str


def history(partner_id: str, customer_id: str, limit: int = 100) -> list[Change]:
    """A customer's assignment changes, newest first."""
    items = AssignmentItem.query(
        partner_id,
        AssignmentItem.history_key.startswith(f"{customer_id}#"),
        scan_index_forward=False,
        limit=limit,
    )
    return [
        Change(
            customer_id=i.customer_id,
            action=i.action,
            from_manager=i.from_manager,
            to_manager=i.to_manager,
            by_user=i.by_user,
            at=i.at,
        )
        for i in items
    ]
