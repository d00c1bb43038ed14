"""When an incentive is valid (R18–R20). Plain functions of Beijing dates.

- R18: valid from the day the provider notified its disbursement (`notified_on`).
- R19: when the partner has left the incentive's program, valid until one year after the
  day its identity in that program lapsed: the last valid day is the lapse date plus one
  calendar year (29 February → 28 February), inclusive.
- R20: from the day after, it expires (the scheduled expiry records it) and stays expired.
- R17: negative incentives never expire; they stay until they are applied for.
- An incentive notified after the partner left is valid from its notification date to the
  same end; notified after that end, it is never valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from partner_center.incentives.programs import Membership
from partner_center.incentives.statuses import EXPIRABLE, Status

VALID_YEARS_AFTER_LAPSE = 1


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def last_valid_day(lapsed_on: date | None) -> date | None:
    """R19: the lapse date plus one year, or None while the partner is in the program."""
    return add_years(lapsed_on, VALID_YEARS_AFTER_LAPSE) if lapsed_on else None


@dataclass(frozen=True)
class Validity:
    valid_from: date | None  # None: not notified yet (an estimate)
    valid_until: date | None  # None: no end (still a member, or a negative incentive)

    def is_valid_on(self, day: date) -> bool:
        if self.valid_from is None or day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def has_ended(self, day: date) -> bool:
        return self.valid_until is not None and day > self.valid_until

    @property
    def expires_on(self) -> date | None:
        """The first day it is no longer valid."""
        return self.valid_until + timedelta(days=1) if self.valid_until else None


def validity(amount: Decimal, notified_on: date | None, membership: Membership | None) -> Validity:
    if amount < 0:  # R17: a negative incentive never expires
        return Validity(valid_from=notified_on, valid_until=None)
    lapsed_on = membership.lapsed_on if membership else None
    return Validity(valid_from=notified_on, valid_until=last_valid_day(lapsed_on))


def should_expire(status: Status, amount: Decimal, validity_: Validity, today: date) -> bool:
    """R20: a positive incentive not applied for whose validity ended before today."""
    return status in EXPIRABLE and amount > 0 and validity_.has_ended(today)
