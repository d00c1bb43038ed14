"""The `Incentive` and `IncentiveApplication` nodes, an incentive's status history, and
their connections."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.money import Money
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.incentives.enums import (
    IncentiveActor,
    IncentiveApplicationStatus,
    IncentiveSign,
    IncentiveStatus,
    PartnerProgram,
)
from partner_center.api.incentives.loaders import application_loader, incentive_loader
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.incentives import service
from partner_center.incentives.records import Application, Transition


def _user(user_id: str | None) -> relay.GlobalID | None:
    return relay.GlobalID("User", user_id) if user_id else None


def _application_id(application_id: str | None) -> relay.GlobalID | None:
    return relay.GlobalID("IncentiveApplication", application_id) if application_id else None


@strawberry.type(
    name="IncentiveTransition", description="One status change: from, to, who and when."
)
class IncentiveTransition:
    from_status: IncentiveStatus
    to_status: IncentiveStatus
    actor: IncentiveActor
    by: relay.GlobalID | None = strawberry.field(
        description="The user who triggered it; null for the scheduled expiry."
    )
    at: datetime
    application_id: relay.GlobalID | None

    @classmethod
    def of(cls, transition: Transition) -> IncentiveTransition:
        return cls(
            from_status=transition.from_status,
            to_status=transition.to_status,
            actor=transition.actor,
            by=_user(transition.user_id),
            at=from_iso(transition.at),
            application_id=_application_id(transition.application_id),
        )


def _valid_today(root: IncentiveNode) -> bool:
    # Read when asked: validity ends with the calendar, not with a write.
    return root.view.validity.is_valid_on(service.today_in_beijing())


async def _application(root: IncentiveNode, info: Info) -> IncentiveApplicationNode | None:
    app = root.view.incentive.application_id
    if app is None:
        return None
    found = await application_loader(info).load(app)
    return IncentiveApplicationNode.of(found) if found else None


@strawberry.type(name="Incentive", description="A positive or negative incentive item.")
class IncentiveNode(LoadedNode, relay.Node):
    incentive_id: relay.NodeID[str]
    view: strawberry.Private[service.IncentiveView]
    program: PartnerProgram
    period: str = strawberry.field(description="The performance month, YYYY-MM.")
    type: str = strawberry.field(
        description="The kind of incentive, e.g. rebate, growth_bonus, deduction."
    )
    amount: Money = strawberry.field(description="Negative for a deduction.")
    sign: IncentiveSign
    status: IncentiveStatus
    notified_on: date | None = strawberry.field(
        description="The day the provider notified its disbursement (Beijing "
        "date); null for an estimate."
    )
    valid_from: date | None = strawberry.field(description="R18: valid from the notification date.")
    valid_until: date | None = strawberry.field(
        description="R19: the last valid day, one year after the partner's "
        "identity in the program lapsed; null while it is a member "
        "and for negative incentives, which never expire (R17)."
    )
    valid_today: bool = strawberry.field(
        resolver=_valid_today, description="Whether it is valid today (Beijing)."
    )
    application_id: relay.GlobalID | None
    application: IncentiveApplicationNode | None = strawberry.field(
        resolver=_application, description="The application that claimed it, if any."
    )
    history: list[IncentiveTransition] = strawberry.field(
        description="Every status change, oldest first."
    )

    @classmethod
    def of(cls, view: service.IncentiveView) -> IncentiveNode:
        incentive = view.incentive
        return cls(
            incentive_id=incentive.incentive_id,
            view=view,
            program=incentive.program,
            period=incentive.period,
            type=incentive.incentive_type,
            amount=Money.of(incentive.amount, incentive.currency),
            sign=incentive.sign,
            status=incentive.status,
            notified_on=incentive.notified_on,
            valid_from=view.validity.valid_from,
            valid_until=view.validity.valid_until,
            application_id=_application_id(incentive.application_id),
            history=[IncentiveTransition.of(t) for t in incentive.history],
        )

    node_loader = incentive_loader


@strawberry.type(
    name="IncentiveApplication",
    description="An application for "
    "disbursement: chosen positive incentives and every negative one, netted.",
)
class IncentiveApplicationNode(LoadedNode, relay.Node):
    application_id: relay.NodeID[str]
    application: strawberry.Private[Application]
    status: IncentiveApplicationStatus
    positive_total: Money
    negative_total: Money
    net_amount: Money = strawberry.field(
        description="Positive total plus negative total; never below zero."
    )
    applied_by: relay.GlobalID
    applied_at: datetime
    approved_by: relay.GlobalID | None
    approved_at: datetime | None

    @classmethod
    def of(cls, application: Application) -> IncentiveApplicationNode:
        currency = application.currency
        return cls(
            application_id=application.application_id,
            application=application,
            status=application.status,
            positive_total=Money.of(application.positive_total, currency),
            negative_total=Money.of(application.negative_total, currency),
            net_amount=Money.of(application.net_amount, currency),
            applied_by=relay.GlobalID("User", application.applied_by),
            applied_at=from_iso(application.applied_at),
            approved_by=_user(application.approved_by),
            approved_at=from_iso_or_none(application.approved_at),
        )

    @strawberry.field(
        description="Its incentives: the chosen positive ones, then every negative one."
    )
    async def incentives(self, info: Info) -> list[IncentiveNode]:
        found = await incentive_loader(info).load_many(list(self.application.incentive_ids))
        return [IncentiveNode.of(view) for view in found if view]

    node_loader = application_loader


@strawberry.type(name="IncentiveConnection")
class IncentiveConnection(relay.Connection[IncentiveNode]):
    pass


@strawberry.type(name="IncentiveApplicationConnection")
class IncentiveApplicationConnection(relay.Connection[IncentiveApplicationNode]):
    pass
