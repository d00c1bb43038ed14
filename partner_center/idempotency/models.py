"""Idempotency records: the first result of a mutation call, by caller, operation and key."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from partner_center.storage.registry import register


class IdempotencyItem(Model):
    class Meta:
        table_name = "partner-center-idempotency"

    partner_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)  # "<user>#<operation>#<key>"
    request_hash = UnicodeAttribute()
    state = UnicodeAttribute()  # pending | done
    result = UnicodeAttribute(null=True)  # JSON of the first result
    started_at = NumberAttribute()
    expires_at = NumberAttribute()


register(IdempotencyItem, "idempotency")
