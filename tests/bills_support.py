"""A fresh partner of its own for each bills test: customers, consumption details, a
caller's token. Tests that write bills or consumption never touch the demo partners."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from partner_center.config import get_settings
from partner_center.core.auth import AccountType, Menu, Principal, Role, issue_token
from partner_center.core.clock import beijing_date, to_iso
from partner_center.storage.models import ConsumptionLine, CustomerItem, DirectoryItem


@dataclass
class Partner:
    partner_id: str
    customers: dict[str, CustomerItem] = field(default_factory=dict)
    lines: list[ConsumptionLine] = field(default_factory=list)

    def customer(
        self,
        association: str,
        name: str = "杭州星河数据科技有限公司",
        manager_id: str | None = None,
    ) -> str:
        customer_id = f"cus-{len(self.customers) + 1:04d}"
        item = CustomerItem(
            self.partner_id,
            customer_id,
            name=name,
            account_name=f"acct{len(self.customers)}",
            association=association,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        if manager_id:
            item.manager_id = manager_id
            item.partner_manager = f"{self.partner_id}#{manager_id}"
            item.assigned_at = datetime(2026, 1, 2, tzinfo=UTC)
        item.save()
        self.customers[customer_id] = item
        return customer_id

    def charge(
        self,
        customer_id: str,
        instant: datetime,
        amount: str,
        *,
        product: str = "ECS",
        mode: str = "on_demand",
        unit: str = "hour",
        usage: str = "1",
    ) -> ConsumptionLine:
        line_id = f"ln-{len(self.lines) + 1:06d}"
        line = ConsumptionLine(
            self.partner_id,
            f"{to_iso(instant)}#{line_id}",
            line_id=line_id,
            customer_id=customer_id,
            customer_name=self.customers[customer_id].name,
            product=product,
            resource_id=f"res-{line_id}",
            billing_mode=mode,
            usage=Decimal(usage),
            usage_unit=unit,
            amount=Decimal(amount),
            charged_at=to_iso(instant),
            bill_date=beijing_date(instant).isoformat(),
        )
        line.save()
        self.lines.append(line)
        return line

    def principal(
        self,
        role: Role = Role.ADMIN,
        permissions: frozenset[Menu] | None = None,
        user_id: str | None = None,
    ) -> Principal:
        return Principal(
            partner_id=self.partner_id,
            user_id=user_id or f"usr-{role.value}",
            login=f"{role.value}@{self.partner_id}",
            role=role,
            account_type=AccountType.SOLUTION_PROVIDER,
            permissions=permissions if permissions is not None else frozenset(Menu),
        )

    def token(
        self,
        role: Role = Role.ADMIN,
        permissions: frozenset[Menu] | None = None,
        user_id: str | None = None,
    ) -> str:
        return issue_token(self.principal(role, permissions, user_id), get_settings())


def ops_token() -> str:
    """The provider's operations: no partner of their own (the platform partition)."""
    from partner_center.core.tenancy import PLATFORM_PARTITION

    principal = Principal(
        partner_id=PLATFORM_PARTITION,
        user_id="usr-ops-test",
        login="ops-test",
        role=Role.PROVIDER_OPERATIONS,
        account_type=AccountType.PLATFORM,
        permissions=frozenset(),
    )
    return issue_token(principal, get_settings())


def scoped_gid(type_name: str, partner_id: str, local_id: str) -> str:
    """The global ID of a record under a partner (`<partner>:<id>`)."""
    from strawberry.relay import GlobalID

    return str(GlobalID(type_name, f"{partner_id}:{local_id}"))


def partner_gid(partner_id: str) -> str:
    from strawberry.relay import GlobalID

    return str(GlobalID("Partner", partner_id))


def new_partner(label: str = "bills") -> Partner:
    partner_id = f"ptn-t-{label}-{uuid.uuid4().hex[:10]}"
    DirectoryItem(
        partner_id,
        "PARTNER",
        name="测试伙伴有限公司",
        account_type=AccountType.SOLUTION_PROVIDER.value,
    ).save()
    return Partner(partner_id)
