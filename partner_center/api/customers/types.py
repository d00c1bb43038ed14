"""The customers area's objects: customers, their assignment history and their alerts."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.loaders import loaded
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.customers.enums import (
    AlertSeverity,
    AssignmentAction,
    AssociationType,
    CustomerAlertType,
)
from partner_center.api.customers.figures import ConsumptionFigure
from partner_center.api.customers.loaders import (
    alert_loader,
    customer_loader,
    month_consumption_loader,
    month_key,
    partner_user,
)
from partner_center.api.customers.users import PartnerUser
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.customers import alerts, assignment
from partner_center.customers.models import AlertItem
from partner_center.storage.models import CustomerItem


def _from_manager(root: CustomerAssignment, info: Info) -> PartnerUser | None:
    return partner_user(info, root.change.from_manager)  # type: ignore[return-value]


def _to_manager(root: CustomerAssignment, info: Info) -> PartnerUser | None:
    return partner_user(info, root.change.to_manager)  # type: ignore[return-value]


def _by(root: CustomerAssignment, info: Info) -> PartnerUser | None:
    return partner_user(info, root.change.by_user)  # type: ignore[return-value]


@strawberry.type(description="One change of a customer's manager: who, when, from whom to whom.")
class CustomerAssignment:
    change: strawberry.Private[assignment.Change]
    action: AssignmentAction
    # The users are read through the request's loader; `action` and `at` are plain.
    from_manager: PartnerUser | None = strawberry.field(resolver=_from_manager)
    to_manager: PartnerUser | None = strawberry.field(resolver=_to_manager)
    by: PartnerUser | None = strawberry.field(resolver=_by)
    at: datetime

    @classmethod
    def of(cls, change: assignment.Change) -> CustomerAssignment:
        return cls(change=change, action=AssignmentAction(change.action), at=from_iso(change.at))


def _customer_manager(root: CustomerNode, info: Info) -> PartnerUser | None:
    return partner_user(info, root.item.manager_id if root.item else None)  # type: ignore[return-value]


@strawberry.type(name="Customer")
class CustomerNode(LoadedNode, relay.Node):
    customer_id: relay.NodeID[str]
    name: str
    account_name: str
    association: AssociationType
    created_at: datetime
    item: strawberry.Private[CustomerItem | None] = None

    @classmethod
    def from_item(cls, item: CustomerItem) -> CustomerNode:
        return cls(
            customer_id=item.customer_id,
            name=item.name,
            account_name=item.account_name,
            association=AssociationType(item.association),
            created_at=item.created_at,
            item=item,
            assigned_at=item.assigned_at,
            open_alert_count=int(item.open_alerts or 0),
        )

    @classmethod
    def from_found(cls, item: CustomerItem | None) -> CustomerNode | None:
        """The node of a customer a loader found, None for one it did not."""
        return cls.from_item(item) if item else None

    manager: PartnerUser | None = strawberry.field(
        resolver=_customer_manager,
        description="The customer manager it is assigned to, if any (R2).",
    )
    # Plain fields (read from the attribute, no resolver per row), filled by from_item.
    assigned_at: datetime | None = strawberry.field(
        default=None, description="When it was assigned to its current manager."
    )
    open_alert_count: int = strawberry.field(
        default=0, description="Alerts raised on the customer and not handled yet."
    )

    @strawberry.field(
        description="The customer's consumption in a month (YYYY-MM, Beijing; "
        "default: the current month), as far as R3 lets it be "
        "shown; a customer manager counts it from the day after "
        "the customer's assignment to it (R5)."
    )
    def month_consumption(self, info: Info, month: str | None = None) -> ConsumptionFigure:
        key = month_key(info, self.customer_id, self.item, month)
        return loaded(month_consumption_loader(info), key)  # type: ignore[return-value]

    @strawberry.field(
        description="Every change of the customer's manager, newest first (at most 100)."
    )
    async def assignment_history(self, info: Info) -> list[CustomerAssignment]:
        changes = await asyncio.to_thread(
            assignment.history, info.context.principal.partner_id, self.customer_id
        )
        return [CustomerAssignment.of(c) for c in changes]

    node_loader = customer_loader

    @classmethod
    def node_of(cls, record: Any) -> Any:
        return cls.from_item(record)


@strawberry.type(name="CustomerConnection")
class CustomerConnection(relay.Connection[CustomerNode]):
    pass


async def _alert_customer(root: CustomerAlertNode, info: Info) -> CustomerNode | None:
    return CustomerNode.from_found(await customer_loader(info).load(root.item.customer_id))


def _handled_by(root: CustomerAlertNode, info: Info) -> PartnerUser | None:
    return partner_user(info, root.item.handled_by)  # type: ignore[return-value]


@strawberry.type(
    name="CustomerAlert",
    description="An alert raised on a customer; handling records who, when and a remark.",
)
class CustomerAlertNode(LoadedNode, relay.Node):
    alert_id: relay.NodeID[str]
    item: strawberry.Private[AlertItem]
    # Plain fields, filled by `of`; only the customer and the handler are read per row.
    type: CustomerAlertType
    severity: AlertSeverity
    title: str
    resource_id: str | None
    customer_id: relay.GlobalID
    customer: CustomerNode | None = strawberry.field(resolver=_alert_customer)
    raised_at: datetime
    handled: bool
    handled_at: datetime | None
    handled_by: PartnerUser | None = strawberry.field(resolver=_handled_by)
    remark: str | None

    @classmethod
    def of(cls, item: AlertItem) -> CustomerAlertNode:
        return cls(
            alert_id=item.alert_id,
            item=item,
            type=alerts.AlertType(item.alert_type),
            severity=alerts.Severity(item.severity),
            title=item.title,
            resource_id=item.resource_id,
            customer_id=relay.GlobalID("Customer", item.customer_id),
            raised_at=from_iso(item.raised_at),
            handled=item.handled_at is not None,
            handled_at=from_iso_or_none(item.handled_at),
            remark=item.remark,
        )

    node_loader = alert_loader


@strawberry.type(name="CustomerAlertConnection")
class CustomerAlertConnection(relay.Connection[CustomerAlertNode]):
    pass
