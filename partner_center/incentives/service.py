"""Incentives for a caller: permissions, today's Beijing date, the rules, the store.

Blocking (pynamodb); the API calls these on a thread. `today` is a parameter everywhere a
rule depends on the date, so tests can stand on any day.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from partner_center.core.auth import Menu, Principal
from partner_center.core.clock import beijing_date, to_iso, utcnow
from partner_center.core.errors import BadInput, Forbidden, NotFound
from partner_center.core.ids import new_id
from partner_center.core.logs import fields, get_logger
from partner_center.core.money import CURRENCY
from partner_center.core.permissions import (
    has_menu,
    is_provider_operations,
    may_act_for,
    require_menu,
    require_partner_side,
    require_provider_operations,
    target_partner,
)
from partner_center.incentives import application as rule
from partner_center.incentives.application import Decision, Refusal
from partner_center.incentives.codes import IncentiveCode
from partner_center.incentives.events import application_changed_safely
from partner_center.incentives.programs import (
    Membership,
    Program,
    memberships,
    record_membership,
)
from partner_center.incentives.records import Application, ApplicationStatus, Incentive, Sign
from partner_center.incentives.statuses import (
    EXPIRABLE,
    Actor,
    Status,
    TransitionRefused,
)
from partner_center.incentives.store import Conflict, IncentiveQuery, IncentiveStore
from partner_center.incentives.validity import Validity, last_valid_day, validity
from partner_center.storage.models import DirectoryItem

log = get_logger(__name__)

MENU = Menu.INCENTIVES
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_BATCH = 100


def today_in_beijing() -> date:
    return beijing_date(utcnow())


def actor_of(principal: Principal) -> Actor:
    return Actor.OPERATIONS if is_provider_operations(principal) else Actor.PARTNER


def check_period(period: str | None, field_name: str = "period") -> str | None:
    if period is not None and not PERIOD.match(period):
        raise BadInput(f"{field_name} must be a month, YYYY-MM", field=field_name)
    return period


@dataclass(frozen=True)
class IncentiveView:
    """An incentive with its validity, as of the caller's program memberships."""

    incentive: Incentive
    validity: Validity


class Memberships:
    """A partner's program memberships, read once per call."""

    def __init__(self, partner_id: str) -> None:
        self.by_program: dict[Program, Membership] = memberships(partner_id)

    def validity_of(self, incentive: Incentive) -> Validity:
        return validity(
            incentive.amount, incentive.notified_on, self.by_program.get(incentive.program)
        )

    def view(self, incentive: Incentive) -> IncentiveView:
        return IncentiveView(incentive, self.validity_of(incentive))

    def ending_before(self, day: date) -> frozenset[Program]:
        """Programs whose incentives' last valid day (R19) is before `day`."""
        return frozenset(
            p
            for p, m in self.by_program.items()
            if (end := last_valid_day(m.lapsed_on)) is not None and end < day
        )


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncentiveFilter:
    statuses: frozenset[Status] | None = None
    sign: Sign | None = None
    period: str | None = None
    program: Program | None = None
    expiring_before: date | None = None  # positive, not applied for, validUntil before it


def resolve_query(flt: IncentiveFilter, programs: Memberships) -> IncentiveQuery:
    check_period(flt.period)
    wanted = frozenset({flt.program}) if flt.program else None
    statuses, sign = flt.statuses, flt.sign
    if flt.expiring_before is not None:
        ending = programs.ending_before(flt.expiring_before)
        wanted = ending if wanted is None else wanted & ending
        statuses = EXPIRABLE if statuses is None else statuses & EXPIRABLE
        if sign is Sign.NEGATIVE:  # R17: negative incentives never expire
            statuses = frozenset()
        sign = Sign.POSITIVE
    return IncentiveQuery(statuses=statuses, sign=sign, period=flt.period, programs=wanted)


def list_incentives(
    principal: Principal, flt: IncentiveFilter, *, after_id: str | None, limit: int
) -> tuple[list[IncentiveView], bool]:
    require_menu(principal, MENU)
    programs = Memberships(principal.partner_id)
    found, has_next = IncentiveStore(principal.partner_id).page(
        resolve_query(flt, programs), after_id=after_id, limit=limit
    )
    return [programs.view(i) for i in found], has_next


def get_incentive(principal: Principal, incentive_id: str) -> IncentiveView | None:
    """The incentive if the caller may see it; None otherwise (no menu, another partner's,
    made up), so a guessed ID reveals nothing."""
    if not has_menu(principal, MENU):
        return None
    found = IncentiveStore(principal.partner_id).get(incentive_id)
    return Memberships(principal.partner_id).view(found) if found else None


def get_incentives(principal: Principal, incentive_ids: list[str]) -> dict[str, IncentiveView]:
    if not has_menu(principal, MENU):
        return {}
    programs = Memberships(principal.partner_id)
    found = IncentiveStore(principal.partner_id).get_many(incentive_ids)
    return {i: programs.view(incentive) for i, incentive in found.items()}


@dataclass(frozen=True)
class Totals:
    count: int
    positive_total: Decimal
    negative_total: Decimal
    by_status: dict[Status, tuple[int, Decimal]]

    @property
    def net_amount(self) -> Decimal:
        return self.positive_total + self.negative_total


def totals(principal: Principal, flt: IncentiveFilter) -> Totals:
    """Sums over every incentive that matches (not one page)."""
    require_menu(principal, MENU)
    query = resolve_query(flt, Memberships(principal.partner_id))
    count, positive, negative = 0, Decimal(0), Decimal(0)
    numbers: Counter[Status] = Counter()
    amounts: dict[Status, Decimal] = {}
    for incentive in IncentiveStore(principal.partner_id).query(query):
        count += 1
        if incentive.amount < 0:
            negative += incentive.amount
        else:
            positive += incentive.amount
        numbers[incentive.status] += 1
        amounts[incentive.status] = amounts.get(incentive.status, Decimal(0)) + incentive.amount
    return Totals(
        count=count,
        positive_total=positive,
        negative_total=negative,
        by_status={s: (numbers[s], amounts[s]) for s in Status if numbers[s]},
    )


def program_memberships(principal: Principal, partner_id: str | None = None) -> list[Membership]:
    """The memberships of the caller's partner, or, for the provider's operations on a
    platform token, of the partner they name."""
    require_menu(principal, MENU)
    target = target_partner(principal, partner_id)
    return sorted(Memberships(target).by_program.values(), key=lambda m: m.program.value)


def record_program_membership(
    principal: Principal,
    partner_id: str,
    program: Program,
    *,
    joined_on: date | None,
    lapsed_on: date | None,
    today: date | None = None,
) -> Membership:
    """Operations record a partner joining or leaving a program.

    The lapse day is what R19 counts from: the program's positive incentives stay valid
    one year after it, and the daily expiry ends them after that (R20). Clearing the
    lapse (the partner is back) ends no incentive from then on, but restores none that
    expired already. `joined_on` left out keeps the day on record.
    """
    require_provider_operations(principal)
    if not may_act_for(principal, partner_id):
        raise Forbidden("operations on a partner's token act for that partner only")
    today = today or today_in_beijing()
    try:
        DirectoryItem.get(partner_id, "PARTNER")
    except DirectoryItem.DoesNotExist:
        raise NotFound("no partner with this ID", field="partnerId") from None
    current = memberships(partner_id).get(program)
    joined = joined_on if joined_on is not None else (current.joined_on if current else None)
    if joined is None:
        raise BadInput("joinedOn is required for a partner new to the program", field="joinedOn")
    if joined > today:
        raise BadInput("joinedOn cannot be after today (Beijing)", field="joinedOn")
    if lapsed_on is not None:
        if lapsed_on < joined:
            raise BadInput("lapsedOn cannot be before joinedOn", field="lapsedOn")
        if lapsed_on > today:
            raise BadInput(
                "lapsedOn cannot be after today (Beijing): record a lapse once it happened",
                field="lapsedOn",
            )
    membership = record_membership(partner_id, program, joined_on=joined, lapsed_on=lapsed_on)
    log.info(
        "program membership recorded",
        extra=fields(
            partner_id=partner_id,
            program=program.value,
            lapsed=lapsed_on is not None,
            by=principal.user_id,
        ),
    )
    return membership


# -- applying for disbursement (R15–R17) ----------------------------------------------------


def _decide(
    principal: Principal, positive_ids: list[str], negative_ids: list[str] | None, today: date
) -> tuple[Decision, IncentiveStore, Memberships]:
    if len(positive_ids) + len(negative_ids or []) > MAX_BATCH:
        raise BadInput(f"at most {MAX_BATCH} incentive IDs per request", field=rule.POSITIVE_FIELD)
    store = IncentiveStore(principal.partner_id)
    programs = Memberships(principal.partner_id)
    decision = rule.decide(
        positive_ids=positive_ids,
        negative_ids=negative_ids,
        found=store.get_many([*positive_ids, *(negative_ids or [])]),
        open_negatives=store.open_negatives(),
        validity_of=programs.validity_of,
        today=today,
    )
    return decision, store, programs


@dataclass(frozen=True)
class Preview:
    decision: Decision
    programs: Memberships

    def view(self, incentive: Incentive) -> IncentiveView:
        return self.programs.view(incentive)


def preview(principal: Principal, positive_ids: list[str], *, today: date | None = None) -> Preview:
    """What applying for these positive incentives would do: every negative incentive
    added (R15), the totals, and whatever would refuse it (R16)."""
    require_menu(principal, MENU)
    decision, _, programs = _decide(principal, positive_ids, None, today or today_in_beijing())
    return Preview(decision, programs)


@dataclass(frozen=True)
class ApplyResult:
    decision: Decision
    application: Application | None = None
    refusals: tuple[Refusal, ...] = field(default=())


def apply(
    principal: Principal,
    positive_ids: list[str],
    negative_ids: list[str],
    *,
    today: date | None = None,
) -> ApplyResult:
    """Apply for disbursement: confirm the chosen positive incentives with every negative
    one, netted. All claimed in one transaction, or none."""
    require_partner_side(principal, MENU)
    decision, store, _ = _decide(principal, positive_ids, negative_ids, today or today_in_beijing())
    if not decision.accepted:
        return ApplyResult(decision=decision, refusals=decision.refusals)
    application = Application(
        partner_id=principal.partner_id,
        application_id=new_id(),
        status=ApplicationStatus.SUBMITTED,
        positive_ids=tuple(i.incentive_id for i in decision.positives),
        negative_ids=tuple(i.incentive_id for i in decision.negatives),
        positive_total=decision.positive_total,
        negative_total=decision.negative_total,
        net_amount=decision.net_amount,
        currency=CURRENCY,
        applied_by=principal.user_id,
        applied_at=to_iso(utcnow()),
    )
    try:
        store.submit(
            application,
            [*decision.positives, *decision.negatives],
            actor=actor_of(principal),
            user_id=principal.user_id,
        )
    except Conflict:
        return ApplyResult(
            decision=decision,
            refusals=(
                Refusal(
                    IncentiveCode.APPLICATION_CONFLICT,
                    rule.POSITIVE_FIELD,
                    "some of these incentives changed "
                    "while applying (another application took them, or a new negative incentive "
                    "was issued); preview again and retry",
                ),
            ),
        )
    except TransitionRefused as refused:
        return ApplyResult(
            decision=decision, refusals=(Refusal(refused.code, None, refused.message),)
        )
    log.info(
        "incentive application submitted",
        extra=fields(
            application_id=application.application_id, incentives=len(application.incentive_ids)
        ),
    )
    application_changed_safely(application)
    return ApplyResult(decision=decision, application=application)


# -- operations' side (R14) ---------------------------------------------------------------


@dataclass(frozen=True)
class ApproveResult:
    application: Application | None
    refusals: tuple[Refusal, ...] = field(default=())


def approve(principal: Principal, application_id: str) -> ApproveResult:
    """Operations' review approves an application: its incentives are disbursed."""
    require_provider_operations(principal)
    store = IncentiveStore(principal.partner_id)
    found = store.get_application(application_id)
    if found is None:
        return ApproveResult(
            None,
            (Refusal(IncentiveCode.NOT_FOUND, "applicationId", "no application with this ID"),),
        )
    if found.status is ApplicationStatus.APPROVED:
        return ApproveResult(
            found,
            (
                Refusal(
                    IncentiveCode.ALREADY_APPROVED,
                    "applicationId",
                    "the application is already approved",
                ),
            ),
        )
    try:
        approved = store.approve(found, actor=actor_of(principal), user_id=principal.user_id)
    except TransitionRefused as refused:
        return ApproveResult(found, (Refusal(refused.code, "applicationId", refused.message),))
    except Conflict:
        return ApproveResult(
            found,
            (
                Refusal(
                    IncentiveCode.APPLICATION_CONFLICT,
                    "applicationId",
                    "the application changed meanwhile; reload it",
                ),
            ),
        )
    log.info("incentive application approved", extra=fields(application_id=application_id))
    application_changed_safely(approved)
    return ApproveResult(approved)


@dataclass(frozen=True)
class NotifyResult:
    incentive_id: str
    incentive: Incentive | None
    refusal: Refusal | None = None


def notify(
    principal: Principal, incentive_ids: list[str], *, today: date | None = None
) -> list[NotifyResult]:
    """Operations issue incentive bills: estimated → pending confirmation, notified today
    (R18). Each incentive succeeds or fails on its own."""
    require_provider_operations(principal)
    if not 1 <= len(incentive_ids) <= MAX_BATCH:
        raise BadInput(f"give 1 to {MAX_BATCH} incentive IDs", field="incentiveIds")
    today = today or today_in_beijing()
    store = IncentiveStore(principal.partner_id)
    programs = Memberships(principal.partner_id)
    found = store.get_many(incentive_ids)
    results = []
    for incentive_id in dict.fromkeys(incentive_ids):
        incentive = found.get(incentive_id)
        results.append(_notify_one(store, programs, principal, incentive_id, incentive, today))
    return results


def _notify_one(
    store: IncentiveStore,
    programs: Memberships,
    principal: Principal,
    incentive_id: str,
    incentive: Incentive | None,
    today: date,
) -> NotifyResult:
    def refused(code: str, message: str) -> NotifyResult:
        return NotifyResult(
            incentive_id, incentive, Refusal(code, "incentiveIds", message, incentive_id)
        )

    if incentive is None:
        return refused(IncentiveCode.NOT_FOUND, "no incentive with this ID")
    # Notified after its program's validity ended, it would never be valid (R19): it is
    # left to the scheduled expiry rather than issued.
    if incentive.amount > 0 and programs.validity_of(incentive).has_ended(today):
        return refused(
            IncentiveCode.VALIDITY_ENDED,
            "the partner left this incentive's program more "
            "than a year ago: the incentive can no longer be issued",
        )
    try:
        updated = store.notify(
            incentive_id, actor=actor_of(principal), user_id=principal.user_id, today=today
        )
    except TransitionRefused as exc:
        return refused(exc.code, exc.message)
    except Conflict:
        return refused(IncentiveCode.CONFLICT, "the incentive changed meanwhile; reload it")
    return NotifyResult(incentive_id, updated)


# -- applications ----------------------------------------------------------------------------


def get_application(principal: Principal, application_id: str) -> Application | None:
    if not has_menu(principal, MENU):
        return None
    return IncentiveStore(principal.partner_id).get_application(application_id)


def list_applications(
    principal: Principal, *, status: ApplicationStatus | None, after_id: str | None, limit: int
) -> tuple[list[Application], bool]:
    require_menu(principal, MENU)
    return IncentiveStore(principal.partner_id).page_applications(
        status=status, after_id=after_id, limit=limit
    )
