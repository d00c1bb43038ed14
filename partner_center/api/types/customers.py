"""The `Customer` node (the customers area builds its lists on it)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.core.errors import Forbidden
from partner_center.customers.service import get_customer
from partner_center.storage.models import CustomerItem


@strawberry.enum
class AssociationType(enum.Enum):
    RESELLER = "reseller"  # 代售: billed through the partner
    ADVISORY = "advisory"  # 顾问销售: pays the provider itself


@strawberry.type(name="Customer")
class CustomerNode(relay.Node):
    customer_id: relay.NodeID[str]
    name: str
    account_name: str
    association: AssociationType
    created_at: datetime

    @classmethod
    def from_item(cls, item: CustomerItem) -> CustomerNode:
        return cls(customer_id=item.customer_id, name=item.name,
                   account_name=item.account_name, association=AssociationType(item.association),
                   created_at=item.created_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str],
                            required: bool = False) -> list[Any]:
        results = []
        for node_id in node_ids:
            try:
                item = await get_customer(info.context.principal, node_id)
            except Forbidden:
                item = None  # `node` answers null rather than confirm the ID exists
            results.append(cls.from_item(item) if item else None)
        return results
