"""Time: stored instants are UTC; business dates are Beijing dates (R10)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(instant: datetime) -> str:
    """A sortable UTC timestamp with a fixed width, so string order is time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    # fromisoformat reads the trailing Z (3.11+) and is many times faster than strptime,
    # which matters once per exported row.
    return datetime.fromisoformat(text)


def from_iso_or_none(text: str | None) -> datetime | None:
    """`from_iso` for an instant that may not have happened yet (stored as null)."""
    return from_iso(text) if text else None


def beijing_text(stored: str | None) -> str:
    """A stored instant as files show it: Beijing wall time, to the second ("" for none)."""
    if not stored:
        return ""
    return from_iso(stored).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def beijing_date(instant: datetime) -> date:
    return instant.astimezone(BEIJING).date()


def beijing_day_start(day: date) -> datetime:
    """The UTC instant at which Beijing day `day` begins."""
    return datetime.combine(day, time.min, tzinfo=BEIJING).astimezone(UTC)


def beijing_day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering Beijing days first..last inclusive."""
    return beijing_day_start(first), beijing_day_start(last + timedelta(days=1))
