"""R5: from which Beijing day a customer manager counts a customer's consumption."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from partner_center.core.clock import beijing_date


def counting_from(assigned_at: datetime | None) -> date:
    """The Beijing day after the (latest) assignment to the manager, whatever the time of
    day it happened; a customer with no recorded instant counts in full."""
    if assigned_at is None:
        return date.min
    return beijing_date(assigned_at) + timedelta(days=1)
