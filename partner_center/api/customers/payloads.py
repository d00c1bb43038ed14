"""What the customers area's mutations answer: per-item results and their payloads."""

from __future__ import annotations

import asyncio

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.payloads import Payload, UserError
from partner_center.api.customers.loaders import customer_loader
from partner_center.api.customers.types import CustomerAlertNode, CustomerNode
from partner_center.customers import alerts


@strawberry.type(description="The outcome for one customer of a batch: done, or why not.")
class CustomerResult:
    customer_id: relay.GlobalID
    ok: bool
    error: UserError | None = None

    @strawberry.field(description="The customer as it is now (null if the caller may not see it).")
    async def customer(self, info: Info) -> CustomerNode | None:
        return CustomerNode.from_found(await customer_loader(info).load(self.customer_id.node_id))


@strawberry.type(description="One result per customer given, in the same order.")
class CustomerBatchPayload(Payload):
    # The base's field, with the batch's own description (it stays first).
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Refusals of the whole request (no customer was changed)."
    )
    results: list[CustomerResult] = strawberry.field(default_factory=list)

    @strawberry.field
    def succeeded_count(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @strawberry.field
    def failed_count(self) -> int:
        return sum(1 for r in self.results if not r.ok)


@strawberry.type
class CustomerPayload(Payload):
    customer: CustomerNode | None = None


async def load_alert(info: Info, gid: relay.GlobalID) -> CustomerAlertNode | None:
    """The alert as it is now: read afresh, after the mutation changed it."""
    if gid.type_name != "CustomerAlert":
        return None
    item = await asyncio.to_thread(alerts.get_alert, info.context.principal, gid.node_id)
    return CustomerAlertNode.of(item) if item else None


@strawberry.type(description="The outcome for one alert of a batch.")
class CustomerAlertResult:
    alert_id: relay.GlobalID
    ok: bool
    error: UserError | None = None

    @strawberry.field(description="The alert as it is now.")
    async def alert(self, info: Info) -> CustomerAlertNode | None:
        return await load_alert(info, self.alert_id)


@strawberry.type(description="One result per alert given, in the same order.")
class CustomerAlertBatchPayload(Payload):
    results: list[CustomerAlertResult] = strawberry.field(default_factory=list)

    @strawberry.field
    def succeeded_count(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @strawberry.field
    def failed_count(self) -> int:
        return sum(1 for r in self.results if not r.ok)


@strawberry.type
class HandleCustomerAlertPayload(Payload):
    alert: CustomerAlertNode | None = None
