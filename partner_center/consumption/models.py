"""The consumption roll-up table: daily sums of the details, one item per customer and
month (and one per partner and month), maintained by the daily roll-up (R3, R4)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute
from partner_center.storage.registry import register

DAYS = tuple(f"d{n:02d}" for n in range(1, 32))


class RollupItem(Model):
    """`M#<yyyy-mm>#C#<customer>` holds a customer's sum per Beijing day of the month in
    d01..d31 (absent: nothing consumed); `M#<yyyy-mm>#ALL` holds the partner's, plus
    `rolled`, the days whose roll-up is complete. Top-level attributes rather than a
    map, so that rolling one day is a single SET that needs no parent to exist."""

    class Meta:
        table_name = "partner-center-consumption-rollups"

    partner_id = UnicodeAttribute(hash_key=True)
    rollup_key = UnicodeAttribute(range_key=True)
    month = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)  # None on the partner's item
    rolled = UnicodeSetAttribute(null=True)  # "01".."31", partner item only
    updated_at = UnicodeAttribute(null=True)
    # d01..d31: Decimal sums, exact to the cent (see DAYS).
    for _day in DAYS:
        vars()[_day] = DecimalAttribute(null=True)
    del _day


register(RollupItem, "consumption_rollups")
