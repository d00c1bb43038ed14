"""Customer alerts: raised by the platform, viewed and handled by the partner.

Handling records who, when and a remark, and is a conditional write: handling an alert
twice is refused (ALREADY_HANDLED), never a silent success. Each customer's count of open
alerts moves in the same transaction as the alert, so it never drifts from the alerts.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import to_iso, utcnow
from partner_center.core.errors import BadInput, NotFound
from partner_center.core.ids import new_id
from partner_center.core.permissions import managed_customer_scope, require_menu
from partner_center.customers.models import AlertItem
from partner_center.customers.store import CustomerStore
from partner_center.storage.models import CustomerItem
from partner_center.storage.transactions import transaction_connection

MAX_BATCH = 100
MAX_REMARK = 500


class AlertType(enum.StrEnum):
    BALANCE_LOW = "balance_low"
    ARREARS = "arrears"
    RESOURCE_EXPIRING = "resource_expiring"


class Severity(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Code:
    NOT_FOUND = "NOT_FOUND"
    ALREADY_HANDLED = "ALREADY_HANDLED"
    DUPLICATE = "DUPLICATE_IN_BATCH"


MESSAGES = {
    Code.NOT_FOUND: "no alert with this ID",
    Code.ALREADY_HANDLED: "the alert has already been handled",
    Code.DUPLICATE: "the alert appears more than once in this batch",
}


@dataclass(frozen=True)
class AlertFilter:
    customer_id: str | None = None
    alert_type: AlertType | None = None
    severity: Severity | None = None
    handled: bool | None = None

    def condition(self) -> Condition | None:
        parts: list[Condition] = []
        if self.alert_type is not None:
            parts.append(AlertItem.alert_type == self.alert_type.value)
        if self.severity is not None:
            parts.append(AlertItem.severity == self.severity.value)
        if self.handled is True:
            parts.append(AlertItem.handled_at.exists())
        elif self.handled is False:
            parts.append(AlertItem.handled_at.does_not_exist())
        condition: Condition | None = None
        for part in parts:
            condition = part if condition is None else condition & part
        return condition


@dataclass(frozen=True)
class Outcome:
    alert_id: str
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None


def _connection() -> Connection:
    return transaction_connection(AlertItem)


def _condition_failed(exc: TransactWriteError) -> bool:
    return any(r and r.code == "ConditionalCheckFailed" for r in exc.cancellation_reasons or [])


def raise_alert(
    partner_id: str,
    customer_id: str,
    alert_type: AlertType,
    severity: Severity,
    title: str,
    *,
    resource_id: str | None = None,
    now: Callable[[], datetime] = utcnow,
) -> AlertItem:
    """Record an alert and count it open on its customer (the platform's side)."""
    item = AlertItem(
        partner_id,
        new_id(),
        partner_customer=f"{partner_id}#{customer_id}",
        customer_id=customer_id,
        alert_type=alert_type.value,
        severity=severity.value,
        title=title,
        resource_id=resource_id,
        raised_at=to_iso(now()),
    )
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.save(item, condition=AlertItem.alert_id.does_not_exist())
            transaction.update(
                CustomerItem(partner_id, customer_id),
                actions=[CustomerItem.open_alerts.add(1)],
                condition=CustomerItem.customer_id.exists(),
            )
    except TransactWriteError as exc:
        if _condition_failed(exc):
            raise NotFound("no customer with this ID", field="customerId") from exc
        raise
    return item


class AlertStore:
    def __init__(self, partner_id: str) -> None:
        if not partner_id:
            raise ValueError("a partner ID is required")
        self.partner_id = partner_id

    def get(self, alert_id: str) -> AlertItem | None:
        try:
            return AlertItem.get(self.partner_id, alert_id, consistent_read=True)
        except AlertItem.DoesNotExist:
            return None

    def _query(self, flt: AlertFilter, after: str | None, page_size: int) -> Iterator[AlertItem]:
        if flt.customer_id is not None:
            index_key = f"{self.partner_id}#{flt.customer_id}"
            start = (
                None
                if after is None
                else {
                    "partner_customer": {"S": index_key},
                    "alert_id": {"S": after},
                    "partner_id": {"S": self.partner_id},
                }
            )
            return AlertItem.by_customer.query(
                index_key,
                filter_condition=flt.condition(),
                scan_index_forward=False,
                last_evaluated_key=start,
                page_size=page_size,
            )
        start = (
            None
            if after is None
            else {"partner_id": {"S": self.partner_id}, "alert_id": {"S": after}}
        )
        return AlertItem.query(
            self.partner_id,
            filter_condition=flt.condition(),
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=page_size,
        )

    def page(
        self, flt: AlertFilter, *, after: str | None, limit: int, visible: set[str] | None = None
    ) -> tuple[list[AlertItem], bool]:
        """Newest first; `visible` keeps only those customers' alerts (R2). Reads stop as
        soon as limit + 1 alerts qualify, so the cursor is the last alert returned and
        nothing is skipped whatever the filters drop."""
        kept: list[AlertItem] = []
        for item in self._query(flt, after, page_size=max(limit + 1, 100)):
            if visible is not None and item.customer_id not in visible:
                continue
            kept.append(item)
            if len(kept) > limit:
                break
        return kept[:limit], len(kept) > limit


def visible_customers(principal: Principal) -> set[str] | None:
    """R2: the customers whose alerts the caller sees (None: all of its partner's)."""
    require_menu(principal, Menu.CUSTOMERS)
    manager = managed_customer_scope(principal)
    if manager is None:
        return None
    return {c.customer_id for c in CustomerStore(principal.partner_id).of_manager(manager)}


def get_alert(principal: Principal, alert_id: str) -> AlertItem | None:
    visible = visible_customers(principal)
    item = AlertStore(principal.partner_id).get(alert_id)
    if item is None or (visible is not None and item.customer_id not in visible):
        return None
    return item


def list_alerts(
    principal: Principal, flt: AlertFilter, *, after: str | None, limit: int
) -> tuple[list[AlertItem], bool]:
    visible = visible_customers(principal)
    if flt.customer_id is not None and visible is not None and flt.customer_id not in visible:
        raise NotFound("no customer with this ID", field="customerId")
    return AlertStore(principal.partner_id).page(flt, after=after, limit=limit, visible=visible)


def clean_remark(remark: str | None) -> str | None:
    if remark is None or not remark.strip():
        return None
    if len(remark.strip()) > MAX_REMARK:
        raise BadInput(f"remark must be at most {MAX_REMARK} characters", field="remark")
    return remark.strip()


def handle(
    principal: Principal,
    alert_ids: Iterable[str],
    remark: str | None,
    *,
    now: Callable[[], datetime] = utcnow,
) -> list[Outcome]:
    """Mark each alert handled by the caller, now, with the remark; one outcome each."""
    ids = list(alert_ids)
    if not 0 < len(ids) <= MAX_BATCH:
        raise BadInput(f"give 1 to {MAX_BATCH} alerts", field="alertIds")
    remark = clean_remark(remark)
    visible = visible_customers(principal)
    store = AlertStore(principal.partner_id)
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for alert_id in ids:
        if alert_id in seen:
            outcomes.append(Outcome(alert_id, Code.DUPLICATE))
            continue
        seen.add(alert_id)
        item = store.get(alert_id)
        if item is None or (visible is not None and item.customer_id not in visible):
            outcomes.append(Outcome(alert_id, Code.NOT_FOUND))
            continue
        if item.handled_at is not None:
            outcomes.append(Outcome(alert_id, Code.ALREADY_HANDLED))
            continue
        actions = [
            AlertItem.handled_at.set(to_iso(now())),
            AlertItem.handled_by.set(principal.user_id),
        ]
        if remark is not None:
            actions.append(AlertItem.remark.set(remark))
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.update(
                    item, actions=actions, condition=AlertItem.handled_at.does_not_exist()
                )
                transaction.update(
                    CustomerItem(principal.partner_id, item.customer_id),
                    actions=[CustomerItem.open_alerts.add(-1)],
                    condition=CustomerItem.customer_id.exists(),
                )
        except TransactWriteError as exc:
            if not _condition_failed(exc):
                raise
            # Someone handled it between our read and our write.
            outcomes.append(Outcome(alert_id, Code.ALREADY_HANDLED))
            continue
        outcomes.append(Outcome(alert_id))
    return outcomes
