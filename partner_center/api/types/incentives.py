"""Incentives: the `Incentive` and `IncentiveApplication` nodes, their connections and
totals, the application preview, and the mutations of R14–R17."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeAlias

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.money import Money
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.core.payloads import UserError
from partner_center.core.clock import from_iso, from_iso_or_none
from partner_center.core.errors import ClientError, Forbidden
from partner_center.idempotency.once import once
from partner_center.incentives import service
from partner_center.incentives.application import Decision, Refusal
from partner_center.incentives.programs import Membership, Program
from partner_center.incentives.records import (
    Application,
    ApplicationStatus,
    Sign,
    Transition,
)
from partner_center.incentives.statuses import Actor, Status
from partner_center.incentives.validity import last_valid_day

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(
    Status,
    name="IncentiveStatus",
    description=(
        "Reconciliation status (R14): ESTIMATED → PENDING_CONFIRMATION → DISBURSING → "
        "DISBURSED; EXPIRED when validity ended first (R20), for good."
    ),
)
IncentiveStatus: TypeAlias = Status
strawberry.enum(Sign, name="IncentiveSign")
IncentiveSign: TypeAlias = Sign
strawberry.enum(Program, name="PartnerProgram")
PartnerProgram: TypeAlias = Program
strawberry.enum(Actor, name="IncentiveActor")
IncentiveActor: TypeAlias = Actor
strawberry.enum(ApplicationStatus, name="IncentiveApplicationStatus")
IncentiveApplicationStatus: TypeAlias = ApplicationStatus


def _user(user_id: str | None) -> relay.GlobalID | None:
    return relay.GlobalID("User", user_id) if user_id else None


@strawberry.type(
    name="IncentiveTransition", description="One status change: from, to, who and when."
)
class IncentiveTransition:
    transition: strawberry.Private[Transition]

    @strawberry.field
    def from_status(self) -> IncentiveStatus:
        return self.transition.from_status

    @strawberry.field
    def to_status(self) -> IncentiveStatus:
        return self.transition.to_status

    @strawberry.field
    def actor(self) -> IncentiveActor:
        return self.transition.actor

    @strawberry.field(description="The user who triggered it; null for the scheduled expiry.")
    def by(self) -> relay.GlobalID | None:
        return _user(self.transition.user_id)

    @strawberry.field
    def at(self) -> datetime:
        return from_iso(self.transition.at)

    @strawberry.field
    def application_id(self) -> relay.GlobalID | None:
        app = self.transition.application_id
        return relay.GlobalID("IncentiveApplication", app) if app else None


@strawberry.type(name="Incentive", description="A positive or negative incentive item.")
class IncentiveNode(relay.Node):
    incentive_id: relay.NodeID[str]
    view: strawberry.Private[service.IncentiveView]

    @classmethod
    def of(cls, view: service.IncentiveView) -> IncentiveNode:
        return cls(incentive_id=view.incentive.incentive_id, view=view)

    @strawberry.field
    def program(self) -> PartnerProgram:
        return self.view.incentive.program

    @strawberry.field(description="The performance month, YYYY-MM.")
    def period(self) -> str:
        return self.view.incentive.period

    @strawberry.field(description="The kind of incentive, e.g. rebate, growth_bonus, deduction.")
    def type(self) -> str:
        return self.view.incentive.incentive_type

    @strawberry.field(description="Negative for a deduction.")
    def amount(self) -> Money:
        return Money.of(self.view.incentive.amount, self.view.incentive.currency)

    @strawberry.field
    def sign(self) -> IncentiveSign:
        return self.view.incentive.sign

    @strawberry.field
    def status(self) -> IncentiveStatus:
        return self.view.incentive.status

    @strawberry.field(
        description="The day the provider notified its disbursement (Beijing "
        "date); null for an estimate."
    )
    def notified_on(self) -> date | None:
        return self.view.incentive.notified_on

    @strawberry.field(description="R18: valid from the notification date.")
    def valid_from(self) -> date | None:
        return self.view.validity.valid_from

    @strawberry.field(
        description="R19: the last valid day, one year after the partner's "
        "identity in the program lapsed; null while it is a member "
        "and for negative incentives, which never expire (R17)."
    )
    def valid_until(self) -> date | None:
        return self.view.validity.valid_until

    @strawberry.field(description="Whether it is valid today (Beijing).")
    def valid_today(self) -> bool:
        return self.view.validity.is_valid_on(service.today_in_beijing())

    @strawberry.field
    def application_id(self) -> relay.GlobalID | None:
        app = self.view.incentive.application_id
        return relay.GlobalID("IncentiveApplication", app) if app else None

    @strawberry.field(description="The application that claimed it, if any.")
    async def application(self, info: Info) -> IncentiveApplicationNode | None:
        app = self.view.incentive.application_id
        if app is None:
            return None
        found = await asyncio.to_thread(service.get_application, info.context.principal, app)
        return IncentiveApplicationNode.of(found) if found else None

    @strawberry.field(description="Every status change, oldest first.")
    def history(self) -> list[IncentiveTransition]:
        return [IncentiveTransition(transition=t) for t in self.view.incentive.history]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = list(node_ids)
        found = await asyncio.to_thread(service.get_incentives, info.context.principal, ids)
        return [cls.of(found[i]) if i in found else None for i in ids]


@strawberry.type(
    name="IncentiveApplication",
    description="An application for "
    "disbursement: chosen positive incentives and every negative one, netted.",
)
class IncentiveApplicationNode(relay.Node):
    application_id: relay.NodeID[str]
    application: strawberry.Private[Application]

    @classmethod
    def of(cls, application: Application) -> IncentiveApplicationNode:
        return cls(application_id=application.application_id, application=application)

    @strawberry.field
    def status(self) -> IncentiveApplicationStatus:
        return self.application.status

    @strawberry.field
    def positive_total(self) -> Money:
        return Money.of(self.application.positive_total, self.application.currency)

    @strawberry.field
    def negative_total(self) -> Money:
        return Money.of(self.application.negative_total, self.application.currency)

    @strawberry.field(description="Positive total plus negative total; never below zero.")
    def net_amount(self) -> Money:
        return Money.of(self.application.net_amount, self.application.currency)

    @strawberry.field
    def applied_by(self) -> relay.GlobalID:
        return relay.GlobalID("User", self.application.applied_by)

    @strawberry.field
    def applied_at(self) -> datetime:
        return from_iso(self.application.applied_at)

    @strawberry.field
    def approved_by(self) -> relay.GlobalID | None:
        return _user(self.application.approved_by)

    @strawberry.field
    def approved_at(self) -> datetime | None:
        return from_iso_or_none(self.application.approved_at)

    @strawberry.field(
        description="Its incentives: the chosen positive ones, then every negative one."
    )
    async def incentives(self, info: Info) -> list[IncentiveNode]:
        ids = list(self.application.incentive_ids)
        found = await asyncio.to_thread(service.get_incentives, info.context.principal, ids)
        return [IncentiveNode.of(found[i]) for i in ids if i in found]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        results = []
        for node_id in node_ids:
            found = await asyncio.to_thread(
                service.get_application, info.context.principal, node_id
            )
            results.append(cls.of(found) if found else None)
        return results


@strawberry.type(name="IncentiveConnection")
class IncentiveConnection(relay.Connection[IncentiveNode]):
    pass


@strawberry.type(name="IncentiveApplicationConnection")
class IncentiveApplicationConnection(relay.Connection[IncentiveApplicationNode]):
    pass


@strawberry.input(
    description="Filters of `incentives` and `incentiveTotals`; all optional, all must hold."
)
class IncentiveFilter:
    statuses: list[IncentiveStatus] | None = None
    sign: IncentiveSign | None = None
    period: str | None = strawberry.field(default=None, description="A month, YYYY-MM.")
    program: PartnerProgram | None = None
    expiring_before: date | None = strawberry.field(
        default=None,
        description="Positive incentives not applied for whose validUntil is "
        "before this Beijing date (including any the daily expiry "
        "has not recorded yet).",
    )

    def resolve(self) -> service.IncentiveFilter:
        return service.IncentiveFilter(
            statuses=frozenset(self.statuses) if self.statuses is not None else None,
            sign=self.sign,
            period=self.period,
            program=self.program,
            expiring_before=self.expiring_before,
        )


@strawberry.type(name="IncentiveStatusTotal")
class IncentiveStatusTotal:
    status: IncentiveStatus
    count: int
    amount: Money


@strawberry.type(name="IncentiveTotals", description="Sums over every matching incentive.")
class IncentiveTotals:
    count: int
    positive_total: Money
    negative_total: Money
    net_amount: Money
    by_status: list[IncentiveStatusTotal]


@strawberry.type(name="PartnerProgramMembership")
class PartnerProgramMembership:
    membership: strawberry.Private[Membership]

    @strawberry.field
    def program(self) -> PartnerProgram:
        return self.membership.program

    @strawberry.field
    def joined_on(self) -> date | None:
        return self.membership.joined_on

    @strawberry.field(description="The day the partner's identity in the program lapsed.")
    def lapsed_on(self) -> date | None:
        return self.membership.lapsed_on

    @strawberry.field(
        description="R19: the last day the program's positive incentives are "
        "valid; null while the partner is a member."
    )
    def incentives_valid_until(self) -> date | None:
        return last_valid_day(self.membership.lapsed_on)


def _user_error(refusal: Refusal) -> UserError:
    message = refusal.message
    if refusal.incentive_id:
        message += f" ({relay.GlobalID('Incentive', refusal.incentive_id)})"
    return UserError(code=refusal.code, field=refusal.field, message=message)


@strawberry.type(
    name="IncentiveApplicationPreview",
    description=(
        "What applying for the chosen positive incentives would do. Every negative incentive "
        "that can be applied for is included and cannot be deselected (R15); an application "
        "whose negatives exceed its positives is refused (R16)."
    ),
)
class IncentiveApplicationPreview:
    preview: strawberry.Private[service.Preview]

    @property
    def decision(self) -> Decision:
        return self.preview.decision

    @strawberry.field
    def positives(self) -> list[IncentiveNode]:
        return [IncentiveNode.of(self.preview.view(i)) for i in self.decision.positives]

    @strawberry.field(
        description="Always included: list them all in `negativeIncentiveIds` when applying."
    )
    def negatives(self) -> list[IncentiveNode]:
        return [IncentiveNode.of(self.preview.view(i)) for i in self.decision.negatives]

    @strawberry.field
    def positive_total(self) -> Money:
        return Money.of(self.decision.positive_total)

    @strawberry.field
    def negative_total(self) -> Money:
        return Money.of(self.decision.negative_total)

    @strawberry.field
    def net_amount(self) -> Money:
        return Money.of(self.decision.net_amount)

    @strawberry.field(description="By how much the negatives exceed the chosen positives.")
    def shortfall(self) -> Money | None:
        short = self.decision.shortfall
        return Money.of(short) if short is not None else None

    @strawberry.field
    def can_apply(self) -> bool:
        return self.decision.accepted

    @strawberry.field
    def errors(self) -> list[UserError]:
        return [_user_error(r) for r in self.decision.refusals]


# -- queries --------------------------------------------------------------------------------


def _ids(global_ids: list[relay.GlobalID], field: str) -> list[str]:
    return [node_id_of(g, "Incentive", field) for g in global_ids]


async def incentives(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: IncentiveFilter | None = None,
) -> IncentiveConnection:
    page = page_request(first, after, "incentive")
    found, has_next = await asyncio.to_thread(
        service.list_incentives,
        info.context.principal,
        (filter or IncentiveFilter()).resolve(),
        after_id=page.after,
        limit=page.size,
    )
    return build_connection(
        IncentiveConnection,
        [IncentiveNode.of(v) for v in found],
        has_next,
        "incentive",
        lambda n: n.incentive_id,
        after,
    )


async def incentive_totals(info: Info, filter: IncentiveFilter | None = None) -> IncentiveTotals:
    sums = await asyncio.to_thread(
        service.totals, info.context.principal, (filter or IncentiveFilter()).resolve()
    )
    return IncentiveTotals(
        count=sums.count,
        positive_total=Money.of(sums.positive_total),
        negative_total=Money.of(sums.negative_total),
        net_amount=Money.of(sums.net_amount),
        by_status=[
            IncentiveStatusTotal(status=s, count=n, amount=Money.of(a))
            for s, (n, a) in sums.by_status.items()
        ],
    )


async def incentive_application_preview(
    info: Info, positive_incentive_ids: list[relay.GlobalID]
) -> IncentiveApplicationPreview:
    positive_ids = _ids(positive_incentive_ids, "positiveIncentiveIds")
    found = await asyncio.to_thread(service.preview, info.context.principal, positive_ids)
    return IncentiveApplicationPreview(preview=found)


async def incentive_applications(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    status: IncentiveApplicationStatus | None = None,
) -> IncentiveApplicationConnection:
    page = page_request(first, after, "incentive-application")
    found, has_next = await asyncio.to_thread(
        service.list_applications,
        info.context.principal,
        status=status,
        after_id=page.after,
        limit=page.size,
    )
    return build_connection(
        IncentiveApplicationConnection,
        [IncentiveApplicationNode.of(a) for a in found],
        has_next,
        "incentive-application",
        lambda n: n.application_id,
        after,
    )


async def incentive_programs(
    info: Info, partner_id: relay.GlobalID | None = None
) -> list[PartnerProgramMembership]:
    partner = node_id_of(partner_id, "Partner", "partnerId") if partner_id else None
    found = await asyncio.to_thread(service.program_memberships, info.context.principal, partner)
    return [PartnerProgramMembership(membership=m) for m in found]


# -- mutations ------------------------------------------------------------------------------


def _refusal_dicts(refusals: Iterable[Refusal]) -> list[dict[str, Any]]:
    return [
        {"code": e.code, "field": e.field, "message": e.message} for e in map(_user_error, refusals)
    ]


def _errors(data: dict[str, Any]) -> list[UserError]:
    return [UserError(**e) for e in data.get("errors", [])]


def _identity(value: Any) -> Any:
    return value


@strawberry.input
class ApplyForIncentiveDisbursementInput:
    positive_incentive_ids: list[relay.GlobalID] = strawberry.field(
        description="The positive incentives chosen (R15)."
    )
    negative_incentive_ids: list[relay.GlobalID] = strawberry.field(
        description="Every negative incentive the preview lists: leaving one out is refused "
        "(NEGATIVE_INCENTIVE_DESELECTED), never completed silently."
    )
    idempotency_key: str | None = None


@strawberry.type
class ApplyForIncentiveDisbursementPayload:
    application: IncentiveApplicationNode | None = None
    shortfall: Money | None = strawberry.field(
        default=None,
        description="R16: by how much the negatives exceed the chosen "
        "positives, when that refused the application.",
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


async def apply_for_incentive_disbursement(
    info: Info, input: ApplyForIncentiveDisbursementInput
) -> ApplyForIncentiveDisbursementPayload:
    principal = info.context.principal
    try:
        positive_ids = _ids(input.positive_incentive_ids, "positiveIncentiveIds")
        negative_ids = _ids(input.negative_incentive_ids, "negativeIncentiveIds")

        async def run() -> dict[str, Any]:
            result = await asyncio.to_thread(service.apply, principal, positive_ids, negative_ids)
            short = result.decision.shortfall
            return {
                "application_id": result.application.application_id if result.application else None,
                "shortfall": str(short) if short is not None and result.refusals else None,
                "errors": _refusal_dicts(result.refusals),
            }

        data = await once(
            principal,
            "applyForIncentiveDisbursement",
            input.idempotency_key,
            {"positive": sorted(positive_ids), "negative": sorted(negative_ids)},
            run,
            encode=_identity,
            decode=_identity,
        )
    except Forbidden:
        raise
    except ClientError as refusal:
        return ApplyForIncentiveDisbursementPayload(errors=[UserError.from_client_error(refusal)])
    application = None
    if data["application_id"]:
        found = await asyncio.to_thread(service.get_application, principal, data["application_id"])
        application = IncentiveApplicationNode.of(found) if found else None
    return ApplyForIncentiveDisbursementPayload(
        application=application,
        shortfall=Money.of(Decimal(data["shortfall"])) if data["shortfall"] else None,
        errors=_errors(data),
    )


@strawberry.input
class ApproveIncentiveApplicationInput:
    application_id: relay.GlobalID
    idempotency_key: str | None = None


@strawberry.type
class ApproveIncentiveApplicationPayload:
    application: IncentiveApplicationNode | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


async def approve_incentive_application(
    info: Info, input: ApproveIncentiveApplicationInput
) -> ApproveIncentiveApplicationPayload:
    principal = info.context.principal
    try:
        application_id = node_id_of(input.application_id, "IncentiveApplication", "applicationId")

        async def run() -> dict[str, Any]:
            result = await asyncio.to_thread(service.approve, principal, application_id)
            return {"errors": _refusal_dicts(result.refusals)}

        data = await once(
            principal,
            "approveIncentiveApplication",
            input.idempotency_key,
            {"application": application_id},
            run,
            encode=_identity,
            decode=_identity,
        )
    except Forbidden:
        raise
    except ClientError as refusal:
        return ApproveIncentiveApplicationPayload(errors=[UserError.from_client_error(refusal)])
    found = await asyncio.to_thread(service.get_application, principal, application_id)
    return ApproveIncentiveApplicationPayload(
        application=IncentiveApplicationNode.of(found) if found else None, errors=_errors(data)
    )


@strawberry.input
class NotifyIncentiveDisbursementInput:
    incentive_ids: list[relay.GlobalID] = strawberry.field(
        description="1 to 100 estimated incentives."
    )
    idempotency_key: str | None = None


@strawberry.type(name="IncentiveNotifyResult")
class IncentiveNotifyResult:
    incentive_id: relay.GlobalID
    incentive: IncentiveNode | None
    error: UserError | None


@strawberry.type
class NotifyIncentiveDisbursementPayload:
    results: list[IncentiveNotifyResult] = strawberry.field(default_factory=list)
    errors: list[UserError] = strawberry.field(default_factory=list)


async def notify_incentive_disbursement(
    info: Info, input: NotifyIncentiveDisbursementInput
) -> NotifyIncentiveDisbursementPayload:
    principal = info.context.principal
    try:
        ids = [node_id_of(g, "Incentive", "incentiveIds") for g in input.incentive_ids]

        async def run() -> dict[str, Any]:
            results = await asyncio.to_thread(service.notify, principal, ids)
            return {
                "results": [
                    {
                        "id": r.incentive_id,
                        "error": _refusal_dicts([r.refusal])[0] if r.refusal else None,
                    }
                    for r in results
                ]
            }

        data = await once(
            principal,
            "notifyIncentiveDisbursement",
            input.idempotency_key,
            {"incentives": ids},
            run,
            encode=_identity,
            decode=_identity,
        )
    except Forbidden:
        raise
    except ClientError as refusal:
        return NotifyIncentiveDisbursementPayload(errors=[UserError.from_client_error(refusal)])
    current = await asyncio.to_thread(
        service.get_incentives, principal, [r["id"] for r in data["results"]]
    )
    return NotifyIncentiveDisbursementPayload(
        results=[
            IncentiveNotifyResult(
                incentive_id=relay.GlobalID("Incentive", r["id"]),
                incentive=IncentiveNode.of(current[r["id"]]) if r["id"] in current else None,
                error=UserError(**r["error"]) if r["error"] else None,
            )
            for r in data["results"]
        ]
    )


@strawberry.input
class RecordProgramMembershipInput:
    partner_id: relay.GlobalID
    program: PartnerProgram
    joined_on: date | None = strawberry.field(
        default=None,
        description="Left out: the day on record is kept (required the first "
        "time a partner joins).",
    )
    lapsed_on: date | None = strawberry.field(
        default=None,
        description="The Beijing day the partner's identity in the program "
        "lapsed; null while it is a member (clears a lapse recorded before).",
    )
    idempotency_key: str | None = None


@strawberry.type
class RecordProgramMembershipPayload:
    membership: PartnerProgramMembership | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _encode_membership(membership: Membership) -> dict[str, Any]:
    return {
        "program": membership.program.value,
        "joined_on": membership.joined_on.isoformat() if membership.joined_on else None,
        "lapsed_on": membership.lapsed_on.isoformat() if membership.lapsed_on else None,
    }


def _decode_membership(data: dict[str, Any]) -> Membership:
    return Membership(
        program=Program(data["program"]),
        joined_on=date.fromisoformat(data["joined_on"]) if data["joined_on"] else None,
        lapsed_on=date.fromisoformat(data["lapsed_on"]) if data["lapsed_on"] else None,
    )


async def record_program_membership(
    info: Info, input: RecordProgramMembershipInput
) -> RecordProgramMembershipPayload:
    principal = info.context.principal
    try:
        partner_id = node_id_of(input.partner_id, "Partner", "partnerId")

        async def run() -> Membership:
            return await asyncio.to_thread(
                service.record_program_membership,
                principal,
                partner_id,
                Program(input.program),
                joined_on=input.joined_on,
                lapsed_on=input.lapsed_on,
            )

        membership = await once(
            principal,
            "recordProgramMembership",
            input.idempotency_key,
            {
                "partner": partner_id,
                "program": Program(input.program).value,
                "joinedOn": input.joined_on,
                "lapsedOn": input.lapsed_on,
            },
            run,
            encode=_encode_membership,
            decode=_decode_membership,
        )
    except Forbidden:
        raise
    except ClientError as refusal:
        return RecordProgramMembershipPayload(errors=[UserError.from_client_error(refusal)])
    return RecordProgramMembershipPayload(
        membership=PartnerProgramMembership(membership=membership)
    )


@strawberry.type
class Query:
    incentives: IncentiveConnection = access.query(
        "Query.incentives", incentives, "The partner's incentives, newest first."
    )
    incentive_totals: IncentiveTotals = access.query(
        "Query.incentiveTotals",
        incentive_totals,
        "Totals over every incentive matching the filter.",
    )
    incentive_application_preview: IncentiveApplicationPreview = access.query(
        "Query.incentiveApplicationPreview",
        incentive_application_preview,
        "Preview an application for disbursement of the chosen positive incentives.",
    )
    incentive_applications: IncentiveApplicationConnection = access.query(
        "Query.incentiveApplications",
        incentive_applications,
        "Applications for disbursement, newest first.",
    )
    incentive_programs: list[PartnerProgramMembership] = access.query(
        "Query.incentivePrograms",
        incentive_programs,
        "The partner's program memberships, which bound its incentives' validity (R19). "
        "partnerId: the partner the provider's operations review (required on their "
        "platform token; others may name only their own).",
    )


@strawberry.type
class Mutation:
    apply_for_incentive_disbursement: ApplyForIncentiveDisbursementPayload = access.mutation(
        "Mutation.applyForIncentiveDisbursement",
        apply_for_incentive_disbursement,
        "Apply for disbursement: confirms the chosen positive incentives together with "
        "every negative one (pending confirmation → disbursing).",
    )
    approve_incentive_application: ApproveIncentiveApplicationPayload = access.mutation(
        "Mutation.approveIncentiveApplication",
        approve_incentive_application,
        "Operations' review approves an application: its incentives are disbursed.",
    )
    notify_incentive_disbursement: NotifyIncentiveDisbursementPayload = access.mutation(
        "Mutation.notifyIncentiveDisbursement",
        notify_incentive_disbursement,
        "Issue estimated incentives' bills and notify their disbursement (estimated → "
        "pending confirmation); validity starts today (R18). Each succeeds or fails alone.",
    )
    record_program_membership: RecordProgramMembershipPayload = access.mutation(
        "Mutation.recordProgramMembership",
        record_program_membership,
        "Record a partner joining or leaving a partner program. The lapse day bounds the "
        "program's positive incentives to one year after it (R19); the daily expiry then "
        "ends them (R20), and clearing the lapse restores none that expired.",
    )
