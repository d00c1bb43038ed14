"""When a month's bill may be generated and when it must be there (R10–R12).

Plain functions of `now`, so the rules are tested at any instant without a clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, time

from partner_center.bills.months import Month
from partner_center.core.clock import BEIJING, beijing_date, beijing_day_start

# R11: the bill of month M exists before 12:00 (Beijing) on the 5th of month M+1.
DUE_DAY = 5
DUE_TIME = time(12, 0)


class Availability(enum.StrEnum):
    AVAILABLE = "available"  # generated: the bill is shown
    MONTH_NOT_ENDED = "month_not_ended"  # the month is still running in Beijing time
    PENDING = "pending"  # the month is over; its bill is due by 12:00 on the 5th
    OVERDUE = "overdue"  # past the due time and still not generated (an operations fault)


@dataclass(frozen=True)
class MonthState:
    month: Month
    availability: Availability
    due_at: datetime

    @property
    def message(self) -> str:
        due = self.due_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        match self.availability:
            case Availability.AVAILABLE:
                return f"The bill of {self.month} is generated."
            case Availability.MONTH_NOT_ENDED:
                return (
                    f"{self.month} has not ended yet (Beijing time); its bill is "
                    f"generated before {due} Beijing time."
                )
            case Availability.PENDING:
                return (
                    f"The bill of {self.month} is not generated yet; it is due before "
                    f"{due} Beijing time."
                )
            case Availability.OVERDUE:
                return (
                    f"The bill of {self.month} is not generated yet although it was due "
                    f"before {due} Beijing time: it is overdue."
                )


def due_at(month: Month) -> datetime:
    """The UTC instant by which month M's bill must exist: 12:00 Beijing on M+1's 5th."""
    following = month.next()
    due_day = following.first_day.replace(day=DUE_DAY)
    return datetime.combine(due_day, DUE_TIME, tzinfo=BEIJING).astimezone(UTC)


def data_cutoff(now: datetime) -> datetime:
    """R12: bill data covers consumption up to 24:00 of the previous (Beijing) day."""
    return beijing_day_start(beijing_date(now))


def month_has_ended(month: Month, now: datetime) -> bool:
    """Whether every charge of the month is inside the data a bill made `now` covers."""
    return data_cutoff(now) >= month.end


def state_of(month: Month, now: datetime, *, generated: bool) -> MonthState:
    due = due_at(month)
    if generated:
        availability = Availability.AVAILABLE
    elif not month_has_ended(month, now):
        availability = Availability.MONTH_NOT_ENDED
    elif now < due:
        availability = Availability.PENDING
    else:
        availability = Availability.OVERDUE
    return MonthState(month=month, availability=availability, due_at=due)


def month_to_generate(now: datetime) -> Month:
    """The month a scheduled run at `now` generates: the Beijing month before now's."""
    return Month.containing(now).previous()
