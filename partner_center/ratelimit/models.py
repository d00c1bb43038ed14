"""Per-partner budgets (token buckets), shared by every API instance through DynamoDB."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from partner_center.storage.registry import register


class BudgetItem(Model):
    class Meta:
        table_name = "partner-center-budgets"

    partner_id = UnicodeAttribute(hash_key=True)
    bucket = UnicodeAttribute(range_key=True)  # e.g. "graphql-cost"
    tokens = NumberAttribute()  # whole points
    updated_ms = NumberAttribute()  # when `tokens` was last computed, epoch ms
    version = NumberAttribute()


register(BudgetItem, "budgets")
