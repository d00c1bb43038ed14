"""EventBridge schedule expressions, as APScheduler triggers, for the local runtime.

serverless.yml schedules functions with EventBridge's `cron(...)` and `rate(...)`. Their
cron is not Unix cron: six fields (minutes, hours, day of month, month, day of week,
year), always in UTC, `?` in one of the two day fields, days of the week numbered from
Sunday = 1, and `L`/`#` for "last" and "n-th" weekdays. This translates them to
APScheduler's CronTrigger (which does the calendar arithmetic) and refuses, by name, the
little it cannot express (`W`, the nearest weekday), rather than firing at a wrong time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]  # EventBridge: 1 is Sunday
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}
RATE_UNITS = {"minute": "minutes", "hour": "hours", "day": "days"}


class UnsupportedSchedule(ValueError):
    """An expression that is not valid EventBridge, or that the local runtime cannot run."""


def trigger(expression: str, start: datetime) -> BaseTrigger:
    """The trigger for one `cron(...)` or `rate(...)` expression of a rule created at
    `start`."""
    match = re.fullmatch(r"\s*(cron|rate)\((.*)\)\s*", expression)
    if not match:
        raise UnsupportedSchedule(f"not a cron(...) or rate(...) expression: {expression!r}")
    kind, body = match.groups()
    return _cron(body) if kind == "cron" else _rate(body, start)


def _rate(body: str, start: datetime) -> IntervalTrigger:
    match = re.fullmatch(r"\s*(\d+)\s+(minute|hour|day)s?\s*", body)
    if not match or int(match.group(1)) < 1:
        raise UnsupportedSchedule(
            f"rate({body}) needs a positive whole number and a unit of minute(s), hour(s) or day(s)"
        )
    period = timedelta(**{RATE_UNITS[match.group(2)]: int(match.group(1))})
    # Like EventBridge, the first run is one period after the rule is created.
    return IntervalTrigger(
        seconds=int(period.total_seconds()), start_date=start + period, timezone=UTC
    )


def _cron(body: str) -> CronTrigger:
    fields = body.split()
    if len(fields) != 6:
        raise UnsupportedSchedule(
            f"cron({body}) needs 6 fields (minutes hours day-of-month month day-of-week year)"
        )
    minute, hour, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise UnsupportedSchedule(
            f"cron({body}): exactly one of day-of-month and day-of-week must be '?'"
        )
    day, weekday = "*", "*"
    if day_of_month != "?":
        day = _day_of_month(day_of_month, body)
    else:
        day, weekday = _day_of_week(day_of_week, body)
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month.lower(),
            day_of_week=weekday,
            year=year,
            timezone=UTC,
        )
    except ValueError as exc:
        raise UnsupportedSchedule(f"cron({body}): {exc}") from exc


def _day_of_month(field: str, body: str) -> str:
    if "W" in field.upper():
        raise UnsupportedSchedule(f"cron({body}): 'W' (nearest weekday) is not supported locally")
    return "last" if field.upper() == "L" else field


def _day_of_week(field: str, body: str) -> tuple[str, str]:
    """(day, day_of_week) for APScheduler: "last Friday" and "third Monday" are
    expressions of its `day` field; plain weekdays go to `day_of_week`."""
    upper = field.upper()
    if upper.endswith("L") and upper != "L":
        return f"last {_weekday(upper[:-1], body)}", "*"
    if "#" in upper:
        weekday, _, nth = upper.partition("#")
        if not nth.isdigit() or int(nth) not in ORDINALS:
            raise UnsupportedSchedule(f"cron({body}): '#' takes 1 to 5")
        return f"{ORDINALS[int(nth)]} {_weekday(weekday, body)}", "*"
    parts = []
    for part in upper.split(","):
        step = ""
        if "/" in part:
            part, _, increment = part.partition("/")
            step = f"/{increment}"
        if part == "*":
            parts.append(f"*{step}")
        elif "-" in part:
            first, _, last = part.partition("-")
            parts.append(f"{_weekday(first, body)}-{_weekday(last, body)}{step}")
        else:
            parts.append(_weekday(part, body) + step)
    return "*", ",".join(parts)


def _weekday(token: str, body: str) -> str:
    if token.isdigit() and 1 <= int(token) <= 7:
        return DAY_NAMES[int(token) - 1]
    if token.lower() in DAY_NAMES:
        return token.lower()
    raise UnsupportedSchedule(
        f"cron({body}): {token!r} is not a day of the week (1-7 from Sunday, or SUN-SAT)"
    )
