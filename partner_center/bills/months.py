"""Billing months in Beijing time (R10) and their 5-minute sample slots (R13)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from partner_center.core.clock import beijing_date, beijing_day_start
from partner_center.core.errors import BadInput

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
SLOT = timedelta(minutes=5)
# Beijing time has no daylight saving: every day has exactly 288 five-minute slots.
SLOTS_PER_DAY = 288
FIRST_YEAR, LAST_YEAR = 2000, 2999


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        # One year of headroom past what `parse` accepts, so every month has a next().
        if not (FIRST_YEAR <= self.year <= LAST_YEAR + 1 and 1 <= self.month <= 12):
            raise ValueError(f"not a billing month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str, field: str = "month") -> Month:
        """'YYYY-MM', strictly; anything else is BAD_USER_INPUT on `field`."""
        found = _MONTH.match(text.strip()) if isinstance(text, str) else None
        if found is None:
            raise BadInput(f"{field} must be a month written YYYY-MM", field=field)
        try:
            if int(found.group(1)) > LAST_YEAR:
                raise ValueError(text)
            return cls(int(found.group(1)), int(found.group(2)))
        except ValueError:
            raise BadInput(f"{field} must be a month written YYYY-MM", field=field) from None

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def containing(cls, instant: datetime) -> Month:
        """The Beijing month an instant falls in."""
        return cls.of(beijing_date(instant))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def compact(self) -> str:
        return f"{self.year:04d}{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self) -> int:
        return self.last_day.day

    @property
    def slots(self) -> int:
        """5-minute samples in a whole month: 8,064 / 8,352 / 8,640 / 8,928."""
        return self.days * SLOTS_PER_DAY

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def start(self) -> datetime:
        """The UTC instant 00:00 Beijing time on the 1st."""
        return beijing_day_start(self.first_day)

    @property
    def end(self) -> datetime:
        """The UTC instant the month ends (24:00 Beijing time on its last day), exclusive."""
        return self.next().start
