"""Demo incentives, applications, program memberships and opportunities (deterministic).

- ptn-sp-001, in the solution-provider program: incentives in every live status and both
  signs (estimates for November 2026, bills pending confirmation, one application being
  reviewed, one approved), so `provider-ops` has something to approve and `sp-admin`
  something to apply for.
- ptn-sp-002 left the solution-provider program on 2025-09-30: those incentives were valid
  until 2026-09-30 and are EXPIRED, except a negative one, which never expires (R17). It
  left the distribution program on 2026-06-30: those stay valid until 2027-06-30,
  including one notified after it left.
- ptn-md-001, a distributor: a few distribution incentives.
- Opportunities in every status, with deals of every transaction method, shared or not,
  so the GMV shows that only the method counts (R21).

Every incentive's history is a path the state machine allows (`statuses.path_to`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from faker import Faker

from partner_center.core.clock import BEIJING, to_iso
from partner_center.core.money import CURRENCY
from partner_center.incentives.models import ApplicationItem, IncentiveItem, OpportunityItem
from partner_center.incentives.opportunities import (
    Deal,
    Opportunity,
    OpportunityStatus,
    TransactionMethod,
)
from partner_center.incentives.opportunity_store import OpportunityStore
from partner_center.incentives.programs import Program, record_membership
from partner_center.incentives.records import (
    Application,
    ApplicationStatus,
    Incentive,
    Transition,
)
from partner_center.incentives.statuses import Status, path_to
from partner_center.incentives.store import IncentiveStore

SEED = 20261101
OPS_USER = "usr-provider-ops"

POSITIVE_TYPES = [
    "performance_rebate",
    "growth_bonus",
    "new_customer_bonus",
    "marketplace_commission",
]
NEGATIVE_TYPES = ["refund_clawback", "compliance_deduction"]

# (partner, program, joined, lapsed)
MEMBERSHIPS = [
    ("ptn-sp-001", Program.SOLUTION_PROVIDER, date(2023, 4, 1), None),
    ("ptn-sp-002", Program.SOLUTION_PROVIDER, date(2022, 3, 1), date(2025, 9, 30)),
    ("ptn-sp-002", Program.DISTRIBUTION, date(2024, 1, 1), date(2026, 6, 30)),
    ("ptn-md-001", Program.DISTRIBUTION, date(2024, 6, 1), None),
]


@dataclass(frozen=True)
class Spec:
    """One demo incentive: where it ends up and when things happened to it."""

    program: Program
    period: str
    sign: int  # +1 or -1
    status: Status
    notified_on: date | None = None
    application: str | None = None  # a key of the partner's demo applications
    expired_on: date | None = None


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BEIJING).astimezone(UTC)


def _demo_id(rng: random.Random, instant: datetime) -> str:
    # The shape of core.ids.new_id (time-ordered), from fixed instants: same every run.
    return f"{int(instant.timestamp() * 1000):012x}{rng.getrandbits(64):016x}"


def _specs() -> dict[str, list[Spec]]:
    sp, dist = Program.SOLUTION_PROVIDER, Program.DISTRIBUTION
    pending, est = Status.PENDING_CONFIRMATION, Status.ESTIMATED
    return {
        "ptn-sp-001": [
            *[Spec(sp, "2026-11", 1, est) for _ in range(3)],
            Spec(sp, "2026-11", -1, est),
            *[Spec(sp, "2026-10", 1, pending, date(2026, 11, 10)) for _ in range(4)],
            *[Spec(sp, "2026-09", 1, pending, date(2026, 10, 12)) for _ in range(3)],
            Spec(sp, "2026-10", -1, pending, date(2026, 11, 10)),
            Spec(sp, "2026-09", -1, pending, date(2026, 10, 12)),
            *[
                Spec(sp, "2026-08", 1, Status.DISBURSING, date(2026, 9, 10), "review")
                for _ in range(3)
            ],
            Spec(sp, "2026-08", -1, Status.DISBURSING, date(2026, 9, 10), "review"),
            *[
                Spec(sp, "2026-07", 1, Status.DISBURSED, date(2026, 8, 11), "paid")
                for _ in range(4)
            ],
            Spec(sp, "2026-07", -1, Status.DISBURSED, date(2026, 8, 11), "paid"),
        ],
        "ptn-sp-002": [
            Spec(sp, "2025-08", 1, Status.EXPIRED, date(2025, 9, 10), expired_on=date(2026, 10, 1)),
            Spec(sp, "2025-08", 1, Status.EXPIRED, date(2025, 9, 10), expired_on=date(2026, 10, 1)),
            Spec(sp, "2025-09", 1, Status.EXPIRED, None, expired_on=date(2026, 10, 1)),
            Spec(sp, "2025-08", -1, pending, date(2025, 9, 10)),  # R17: stays, never expires
            Spec(dist, "2026-05", 1, Status.DISBURSED, date(2026, 6, 10), "paid"),
            Spec(dist, "2026-06", 1, pending, date(2026, 7, 10)),
            Spec(dist, "2026-06", 1, pending, date(2026, 7, 10)),
            Spec(dist, "2026-07", 1, pending, date(2026, 8, 10)),  # notified after it left
        ],
        "ptn-md-001": [
            Spec(dist, "2026-11", 1, est),
            Spec(dist, "2026-10", 1, pending, date(2026, 11, 10)),
            Spec(dist, "2026-10", -1, pending, date(2026, 11, 10)),
            Spec(dist, "2026-09", 1, Status.DISBURSED, date(2026, 10, 12), "paid"),
        ],
    }


def _history(spec: Spec, application_id: str | None, admin_id: str) -> tuple[Transition, ...]:
    """The transitions that led to `spec.status`, dated along the demo timeline."""
    if spec.status is Status.EXPIRED and spec.notified_on:
        path = path_to(Status.PENDING_CONFIRMATION) + path_to(
            Status.EXPIRED, start=Status.PENDING_CONFIRMATION
        )
    else:
        path = path_to(spec.status)
    notified = spec.notified_on or date(2026, 1, 1)
    when = {
        Status.PENDING_CONFIRMATION: _at(notified),
        Status.DISBURSING: _at(notified + timedelta(days=5), 15),
        Status.DISBURSED: _at(notified + timedelta(days=12), 11),
        Status.EXPIRED: _at(spec.expired_on or notified, 1),
    }
    users = {
        Status.PENDING_CONFIRMATION: OPS_USER,
        Status.DISBURSING: admin_id,
        Status.DISBURSED: OPS_USER,
    }
    return tuple(
        Transition(
            from_status=current,
            to_status=target,
            actor=actor,
            user_id=users.get(target),
            at=to_iso(when[target]),
            application_id=application_id
            if target in (Status.DISBURSING, Status.DISBURSED)
            else None,
        )
        for current, target, actor in path
    )


def _admin_of(partner_id: str) -> str:
    return {"ptn-sp-001": "usr-sp-admin", "ptn-sp-002": "usr-sp2-admin"}.get(
        partner_id, "usr-md-admin"
    )


def incentives_and_applications(rng: random.Random) -> tuple[list[Incentive], list[Application]]:
    incentives: list[Incentive] = []
    applications: list[Application] = []
    for partner_id, specs in _specs().items():
        app_ids: dict[str, str] = {}
        members: dict[str, list[Incentive]] = {}
        for spec in specs:
            if spec.application and spec.application not in app_ids:
                day = (spec.notified_on or date(2026, 1, 1)) + timedelta(days=5)
                app_ids[spec.application] = _demo_id(rng, _at(day, 15))
            application_id = app_ids.get(spec.application) if spec.application else None
            cents = (
                rng.randrange(50_000, 2_000_000)
                if spec.sign > 0
                else -rng.randrange(10_000, 150_000)
            )
            created = _at(date.fromisoformat(f"{spec.period}-01"), 9) + timedelta(
                minutes=len(incentives)
            )
            history = _history(spec, application_id, _admin_of(partner_id))
            incentive = Incentive(
                partner_id=partner_id,
                incentive_id=_demo_id(rng, created),
                program=spec.program,
                period=spec.period,
                incentive_type=rng.choice(POSITIVE_TYPES if spec.sign > 0 else NEGATIVE_TYPES),
                amount=Decimal(cents).scaleb(-2),
                currency=CURRENCY,
                status=spec.status,
                notified_on=spec.notified_on,
                application_id=application_id,
                created_at=to_iso(created),
                history=history,
            )
            incentives.append(incentive)
            if spec.application:
                members.setdefault(spec.application, []).append(incentive)
        for key, claimed in members.items():
            positives = [i for i in claimed if i.amount > 0]
            negatives = [i for i in claimed if i.amount < 0]
            approved = claimed[0].status is Status.DISBURSED
            last = claimed[0].history[-1]
            applied = next(t for t in claimed[0].history if t.to_status is Status.DISBURSING)
            pos = sum((i.amount for i in positives), Decimal(0))
            neg = sum((i.amount for i in negatives), Decimal(0))
            applications.append(
                Application(
                    partner_id=partner_id,
                    application_id=app_ids[key],
                    status=ApplicationStatus.APPROVED if approved else ApplicationStatus.SUBMITTED,
                    positive_ids=tuple(i.incentive_id for i in positives),
                    negative_ids=tuple(i.incentive_id for i in negatives),
                    positive_total=pos,
                    negative_total=neg,
                    net_amount=pos + neg,
                    currency=CURRENCY,
                    applied_by=_admin_of(partner_id),
                    applied_at=applied.at,
                    approved_by=OPS_USER if approved else None,
                    approved_at=last.at if approved else None,
                )
            )
    return incentives, applications


PROJECTS = ["云迁移", "数据中台", "容灾备份", "CDN加速"]
_METHODS = [
    TransactionMethod.RESELLER,
    TransactionMethod.ADVISORY,
    TransactionMethod.MARKETPLACE,
    TransactionMethod.PROVIDER_DIRECT,
    None,
]


def opportunities(rng: random.Random, fake: Faker) -> list[Opportunity]:
    found = []
    for partner_id, count in (("ptn-sp-001", 24), ("ptn-sp-002", 6), ("ptn-md-001", 4)):
        for number in range(count):
            status = list(OpportunityStatus)[number % 4]
            shared_on = date(2026, 7, 1) + timedelta(days=rng.randrange(0, 100))
            # Every method, with sharing both on and off, so GMV visibly ignores sharing.
            method = _METHODS[number % len(_METHODS)]
            deal = None
            if method is not None:
                deal = Deal(
                    method=method,
                    amount=Decimal(rng.randrange(100_000, 20_000_000)).scaleb(-2),
                    transacted_on=date(2026, 8 + number % 3, 1 + rng.randrange(28)),
                )
            company = fake.company()
            found.append(
                Opportunity(
                    partner_id=partner_id,
                    opportunity_id=_demo_id(rng, _at(shared_on) + timedelta(minutes=number)),
                    title=f"{company[:4]}{rng.choice(PROJECTS)}项目",
                    customer_name=company,
                    status=status,
                    shared_via_pce=number % 3 != 0,
                    estimated_amount=Decimal(rng.randrange(100_000, 20_000_000)).scaleb(-2),
                    shared_on=shared_on,
                    deal=deal,
                )
            )
    return found


def seed(data: Any) -> None:
    """Write the demo incentives area (the shared partners and users already exist)."""
    rng = random.Random(SEED)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    for partner_id, program, joined, lapsed in MEMBERSHIPS:
        record_membership(partner_id, program, joined_on=joined, lapsed_on=lapsed)
    incentives, applications = incentives_and_applications(rng)
    with IncentiveItem.batch_write() as batch:
        for incentive in incentives:
            batch.save(IncentiveStore.item_of(incentive))
    with ApplicationItem.batch_write() as batch:
        for application in applications:
            batch.save(IncentiveStore.application_item_of(application))
    with OpportunityItem.batch_write() as batch:
        for opportunity in opportunities(rng, fake):
            batch.save(OpportunityStore.item_of(opportunity))
