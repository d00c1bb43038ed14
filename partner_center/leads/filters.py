"""Lead search conditions, validated once, as the store applies them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from partner_center.core.clock import beijing_day_range, to_iso
from partner_center.core.errors import BadInput
from partner_center.leads.rules import LeadStatus

MAX_TEXT = 100


@dataclass(frozen=True)
class LeadFilter:
    statuses: frozenset[LeadStatus] = field(default_factory=frozenset)
    assignee_id: str | None = None
    source: str | None = None
    region: str | None = None
    industry: str | None = None
    created_from: date | None = None  # Beijing dates, inclusive
    created_to: date | None = None
    dispatched_from: date | None = None
    dispatched_to: date | None = None
    name_contains: str | None = None

    def validate(self) -> LeadFilter:
        for name, low, high in (
            ("createdFrom", self.created_from, self.created_to),
            ("dispatchedFrom", self.dispatched_from, self.dispatched_to),
        ):
            if low is not None and high is not None and low > high:
                raise BadInput(f"{name} must not be after its end date", field=name)
        for name, value in (
            ("source", self.source),
            ("region", self.region),
            ("industry", self.industry),
            ("nameContains", self.name_contains),
        ):
            if value is not None and not 0 < len(value) <= MAX_TEXT:
                raise BadInput(f"{name} must be 1 to {MAX_TEXT} characters", field=name)
        return self


def instant_bounds(first: date | None, last: date | None) -> tuple[str | None, str | None]:
    """[start, end) as UTC ISO strings for Beijing days first..last (either may be open)."""
    start = end = None
    if first is not None:
        start = to_iso(beijing_day_range(first, first)[0])
    if last is not None:
        end = to_iso(beijing_day_range(last, last)[1])
    return start, end
