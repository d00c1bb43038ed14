"""R3: the summary of Beijing day D can be read only after 24:00 of D+1, Beijing time.

Plain functions of an explicit `now`, so the boundaries (23:59:59.999999 and 00:00 of
D+2) are tested without touching a clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from partner_center.core.clock import beijing_date, beijing_day_start


def available_from(day: date) -> datetime:
    """The UTC instant from which day `day`'s summary may be shown: 24:00 of day+1
    (00:00 of day+2) in Beijing."""
    return beijing_day_start(day + timedelta(days=2))


def is_available(day: date, now: datetime) -> bool:
    return now >= available_from(day)


def last_available_day(now: datetime) -> date:
    """The latest Beijing day whose summary `now` may show."""
    return beijing_date(now) - timedelta(days=2)
