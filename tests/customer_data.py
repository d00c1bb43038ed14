"""A small partner of its own for the customers tests: boundaries at known instants.

The demo partners are shared by every test module (their managers' customers are counted
by the export tests), so assignments, alerts and boundary lines live here instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from strawberry.relay import GlobalID

from partner_center.config import get_settings
from partner_center.core.auth import AccountType, Menu, Principal, Role, issue_token
from partner_center.core.clock import BEIJING, beijing_date, to_iso
from partner_center.storage.models import ConsumptionLine, CustomerItem, DirectoryItem

PARTNER = "ptn-cus-test"


def beijing(*args: int) -> datetime:
    """A Beijing wall-clock time as an aware instant."""
    return datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]


USERS = {
    "admin": ("usr-t-admin", Role.ADMIN, frozenset(Menu)),
    "operator": ("usr-t-op", Role.OPERATOR, frozenset({Menu.CUSTOMERS})),
    "noperm": ("usr-t-noperm", Role.OPERATOR, frozenset()),
    "m1": ("usr-t-m1", Role.CUSTOMER_MANAGER, frozenset()),
    "m2": ("usr-t-m2", Role.CUSTOMER_MANAGER, frozenset()),
    "staff": ("usr-t-staff", Role.STAFF, frozenset()),
}


def principal(who: str) -> Principal:
    user_id, role, menus = USERS[who]
    return Principal(
        partner_id=PARTNER,
        user_id=user_id,
        login=f"t-{who}",
        role=role,
        account_type=AccountType.SOLUTION_PROVIDER,
        permissions=menus,
    )


def token(who: str) -> str:
    return issue_token(principal(who), get_settings())


def gid(type_name: str, node_id: str) -> str:
    return str(GlobalID(type_name, node_id))


# Customer -> (name, association, manager, assigned at). The two boundary customers are
# assigned one microsecond either side of 00:00 Beijing on 2026-09-11.
CUSTOMERS: dict[str, tuple[str, str, str | None, datetime | None]] = {
    "cus-t-01": (
        "甲乙丙测试科技有限公司",
        "reseller",
        "usr-t-m1",
        beijing(2026, 9, 10, 23, 59, 59, 999999),
    ),
    "cus-t-02": ("张三丰", "advisory", "usr-t-m1", beijing(2026, 9, 11, 0, 0, 0)),
    "cus-t-03": (
        "丁戊己庚网络技术有限公司",
        "reseller",
        "usr-t-m1",
        beijing(2026, 7, 20, 10, 0, 0),
    ),
    "cus-t-04": ("李四", "advisory", None, None),
    "cus-t-05": ("王五商贸有限公司", "reseller", "usr-t-m2", beijing(2026, 7, 1, 9, 0, 0)),
    # Reassigned mid-month by the R5 test.
    "cus-t-06": ("赵六云计算服务有限公司", "reseller", "usr-t-m1", beijing(2026, 7, 20, 10, 0, 0)),
    # Unassigned, each moved by one assignment test.
    "cus-t-07": ("孙七", "advisory", None, None),
    "cus-t-08": ("周八", "reseller", None, None),
    "cus-t-09": ("吴九", "reseller", None, None),
}

# Lines at the edges that matter: a day's last and first instants, month ends.
LINE_TIMES = [
    beijing(2026, 8, 31, 23, 59, 59),
    beijing(2026, 9, 1, 0, 0, 0),
    beijing(2026, 9, 10, 23, 59, 59),
    beijing(2026, 9, 11, 0, 0, 0),
    beijing(2026, 9, 11, 23, 59, 59),
    beijing(2026, 9, 12, 0, 0, 0),
    beijing(2026, 9, 15, 12, 0, 0),
    beijing(2026, 9, 16, 0, 0, 0),
    beijing(2026, 9, 30, 23, 59, 59),
    beijing(2026, 10, 1, 0, 0, 0),
]


def _amount(customer_index: int, line_index: int) -> Decimal:
    # Cents that do not add up to round numbers, so a lost cent shows.
    return Decimal(f"{(customer_index + 1) * 101 + line_index * 7}.{(line_index * 13) % 100:02d}")


def lines() -> list[ConsumptionLine]:
    result = []
    for c_index, customer_id in enumerate(CUSTOMERS):
        for l_index, at in enumerate(LINE_TIMES):
            line_id = f"ln-t-{c_index:02d}-{l_index:02d}"
            product = "ECS" if l_index % 2 else "OBS"
            result.append(
                ConsumptionLine(
                    PARTNER,
                    f"{to_iso(at)}#{line_id}",
                    line_id=line_id,
                    customer_id=customer_id,
                    customer_name=CUSTOMERS[customer_id][0],
                    product=product,
                    resource_id=f"res-{c_index}-{l_index}",
                    billing_mode="on_demand",
                    usage=Decimal("1.5"),
                    usage_unit="hour",
                    amount=_amount(c_index, l_index),
                    charged_at=to_iso(at),
                    bill_date=beijing_date(at).isoformat(),
                )
            )
    return result


def expected(
    customer_ids: set[str] | None = None,
    *,
    first: date | None = None,
    last: date | None = None,
    since: dict[str, date] | None = None,
) -> Decimal:
    total = Decimal("0")
    for line in lines():
        day = date.fromisoformat(line.bill_date)
        if customer_ids is not None and line.customer_id not in customer_ids:
            continue
        if (first and day < first) or (last and day > last):
            continue
        if since and day < since.get(line.customer_id, date.min):
            continue
        total += line.amount
    return total


_seeded = False


def seed() -> None:
    """Write the partner once per session (the tables are the session's embedded AWS)."""
    global _seeded
    if _seeded:
        return
    items: list[Any] = [
        DirectoryItem(
            PARTNER,
            "PARTNER",
            name="测试伙伴有限公司",
            account_type=AccountType.SOLUTION_PROVIDER.value,
        )
    ]
    for who, (user_id, role, menus) in USERS.items():
        items.append(
            DirectoryItem(
                PARTNER,
                f"USER#{user_id}",
                name=f"测试{who}",
                login=f"t-{who}",
                role=role.value,
                permissions={m.value for m in menus} or None,
            )
        )
    for model in (DirectoryItem,):
        with model.batch_write() as batch:
            for item in items:
                batch.save(item)
    with CustomerItem.batch_write() as batch:
        for number, (customer_id, (name, association, manager, at)) in enumerate(CUSTOMERS.items()):
            item = CustomerItem(
                PARTNER,
                customer_id,
                name=name,
                account_name=f"acct{number}",
                association=association,
                created_at=datetime(2026, 1, 1 + number, tzinfo=UTC),
                open_alerts=0,
            )
            if manager:
                item.manager_id = manager
                item.partner_manager = f"{PARTNER}#{manager}"
                item.assigned_at = at.astimezone(UTC) if at else None
            batch.save(item)
    with ConsumptionLine.batch_write() as batch:
        for line in lines():
            batch.save(line)
    _seeded = True


def day_before(day: date) -> date:
    return day - timedelta(days=1)
