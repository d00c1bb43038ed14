"""The leads table: leads and their dispatch history, under the partner's ID.

One table, two kinds of item told apart by the range key:

- a lead: `L#<lead_id>` (lead IDs are time-ordered, so key order is creation order);
- a history entry: `H#<lead_id>#<job_id>`, one per lead and dispatch job. The key is
  what makes a job idempotent per lead: a redelivered job cannot write a second entry,
  and finding its entry tells it the lead is already done.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from partner_center.storage.registry import register

LEAD_PREFIX = "L#"
HISTORY_PREFIX = "H#"


def lead_key(lead_id: str) -> str:
    return f"{LEAD_PREFIX}{lead_id}"


def history_key(lead_id: str, job_id: str) -> str:
    return f"{HISTORY_PREFIX}{lead_id}#{job_id}"


class LeadItem(Model):
    class Meta:
        table_name = "partner-center-leads"

    partner_id = UnicodeAttribute(hash_key=True)
    lead_key = UnicodeAttribute(range_key=True)
    lead_id = UnicodeAttribute()
    name = UnicodeAttribute()  # the prospect: a company or a person (personal data)
    contact_name = UnicodeAttribute(null=True)  # personal data
    contact_phone = UnicodeAttribute(null=True)  # personal data
    source = UnicodeAttribute()
    region = UnicodeAttribute()
    industry = UnicodeAttribute()
    status = UnicodeAttribute()
    assignee_id = UnicodeAttribute(null=True)  # the staff it is dispatched to
    created_at = UnicodeAttribute()  # UTC ISO
    dispatched_at = UnicodeAttribute(null=True)
    recalled_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    last_job_id = UnicodeAttribute(null=True)


class LeadHistoryItem(Model):
    """Who dispatched or recalled a lead, to or from whom, when, and through which job."""

    class Meta:
        table_name = "partner-center-leads"

    partner_id = UnicodeAttribute(hash_key=True)
    lead_key = UnicodeAttribute(range_key=True)
    lead_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    action = UnicodeAttribute()  # dispatch | recall
    actor_id = UnicodeAttribute()  # the user who requested the job
    staff_id = UnicodeAttribute()  # dispatched to, or recalled from
    from_status = UnicodeAttribute()
    to_status = UnicodeAttribute()
    occurred_at = UnicodeAttribute()


register(LeadItem, "leads")
register(LeadHistoryItem, "leads")
