"""Consumption detail filters: validated once at the API, carried as JSON in the job."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from partner_center.core.errors import BadInput

BILLING_MODES = ("on_demand", "yearly_monthly", "reserved", "peak_95")

# One export covers at most a year: a bill never spans more, and it bounds a job's run.
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class ConsumptionFilter:
    customer_id: str | None = None
    product: str | None = None
    billing_mode: str | None = None
    date_from: date | None = None  # Beijing dates, inclusive
    date_to: date | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None

    def validate(self) -> ConsumptionFilter:
        if self.billing_mode is not None and self.billing_mode not in BILLING_MODES:
            raise BadInput(
                f"billingMode must be one of {', '.join(BILLING_MODES)}", field="billingMode"
            )
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise BadInput("dateFrom is after dateTo", field="dateFrom")
            if (self.date_to - self.date_from).days >= MAX_RANGE_DAYS:
                raise BadInput(f"a date range covers at most {MAX_RANGE_DAYS} days", field="dateTo")
        if (
            self.min_amount is not None
            and self.max_amount is not None
            and self.min_amount > self.max_amount
        ):
            raise BadInput("minAmount is above maxAmount", field="minAmount")
        if self.product is not None and not 0 < len(self.product) <= 100:
            raise BadInput("product must be 1 to 100 characters", field="product")
        return self

    def to_json(self) -> dict[str, Any]:
        return {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConsumptionFilter:
        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        def amount(key: str) -> Decimal | None:
            return Decimal(data[key]) if data.get(key) is not None else None

        return cls(
            customer_id=data.get("customer_id"),
            product=data.get("product"),
            billing_mode=data.get("billing_mode"),
            date_from=day("date_from"),
            date_to=day("date_to"),
            min_amount=amount("min_amount"),
            max_amount=amount("max_amount"),
        )
