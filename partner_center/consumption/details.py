"""Reading consumption detail lines under R1, R2 and R5."""

from __future__ import annotations

from datetime import date

from partner_center.consumption.filters import ConsumptionFilter
from partner_center.consumption.store import ConsumptionStore, managed_customers
from partner_center.core.auth import Menu, Principal
from partner_center.core.errors import NotFound
from partner_center.core.permissions import managed_customer_scope, require_menu
from partner_center.storage.models import ConsumptionLine


def visible_from(principal: Principal) -> dict[str, date] | None:
    """R2/R5: customer -> first Beijing day the caller sees (None: everything)."""
    require_menu(principal, Menu.CUSTOMERS)
    manager = managed_customer_scope(principal)
    if manager is None:
        return None
    return managed_customers(principal.partner_id, manager)


def list_lines(
    principal: Principal, flt: ConsumptionFilter, *, after: str | None, limit: int
) -> tuple[list[ConsumptionLine], bool]:
    visible = visible_from(principal)
    if flt.customer_id is not None and visible is not None and flt.customer_id not in visible:
        raise NotFound("no customer with this ID", field="customerId")
    return ConsumptionStore(principal.partner_id).page(
        flt, after=after, limit=limit, visible=visible
    )


def get_line(principal: Principal, line_key: str) -> ConsumptionLine | None:
    visible = visible_from(principal)
    line = ConsumptionStore(principal.partner_id).get(line_key)
    if line is None:
        return None
    if visible is not None and not (
        line.customer_id in visible
        and date.fromisoformat(line.bill_date) >= visible[line.customer_id]
    ):
        return None
    return line
