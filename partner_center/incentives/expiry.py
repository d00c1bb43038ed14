"""The scheduled expiry of incentives (R19, R20).

Daily (serverless.yml: `incentiveExpiry`, 01:00 Beijing; locally `partner-center
incentives expire`): for every program membership whose last valid day (lapse date plus
one year) is before today, each positive incentive of that program that was never applied
for goes to EXPIRED, a terminal status. Each one is a conditional write: an application
that claimed it first wins, and a second run finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from partner_center.core.logs import fields, get_logger
from partner_center.incentives.programs import lapsed_memberships
from partner_center.incentives.records import Sign
from partner_center.incentives.service import today_in_beijing
from partner_center.incentives.statuses import EXPIRABLE
from partner_center.incentives.store import IncentiveQuery, IncentiveStore
from partner_center.incentives.validity import last_valid_day, should_expire, validity

log = get_logger(__name__)


@dataclass(frozen=True)
class ExpiryReport:
    today: str
    memberships: int  # lapsed memberships whose validity ended before today
    expired: int
    changed_meanwhile: int  # applied for (or otherwise changed) between read and write


def run_expiry(
    today: date | None = None, *, partners: Collection[str] | None = None
) -> ExpiryReport:
    """Expire what stopped being valid before `today` (Beijing), for every partner or
    only the given ones."""
    today = today or today_in_beijing()
    ended = expired = changed = 0
    for partner_id, membership in lapsed_memberships(today):
        if partners is not None and partner_id not in partners:
            continue
        end = last_valid_day(membership.lapsed_on)
        if end is None or end >= today:
            continue
        ended += 1
        store = IncentiveStore(partner_id)
        query = IncentiveQuery(
            statuses=EXPIRABLE, sign=Sign.POSITIVE, programs=frozenset({membership.program})
        )
        for incentive in list(store.query(query)):
            if not should_expire(
                incentive.status,
                incentive.amount,
                validity(incentive.amount, incentive.notified_on, membership),
                today,
            ):
                continue
            if store.expire(incentive):
                expired += 1
            else:
                changed += 1
    report = ExpiryReport(
        today=today.isoformat(), memberships=ended, expired=expired, changed_meanwhile=changed
    )
    log.info("incentive expiry ran", extra=fields(**asdict(report)))
    return report


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The scheduled (EventBridge) invocation; the event carries nothing we need."""
    return asdict(run_expiry())
