"""The audit table: one item per mutation call, newest last under the partner."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from partner_center.storage.attributes import StringListAttribute
from partner_center.storage.registry import register


class AuditItem(Model):
    class Meta:
        table_name = "partner-center-audit"

    partner_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)  # "<occurred_at UTC ISO>#<event_id>"
    event_id = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    operation = UnicodeAttribute()
    target_ids = StringListAttribute()
    outcome = UnicodeAttribute()  # succeeded | refused | forbidden | failed
    error_codes = StringListAttribute()
    request_id = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # kept at least 180 days (R: audit retention)


register(AuditItem, "audit")
