"""The finance table, under the partner:

- `AGR#<id>`: a third-party payment agreement (IDs are time-ordered: newest last).
- `AGRACCT#<fingerprint>`: the one live agreement of a payer account (a guard item, so
  two agreements for one account cannot both be created, even by racing requests).
- `CON#<id>`: a request-payment contract.

and, under the reserved `platform` partition, the provider's review queue:

- `REVIEW#AGR#<id>` / `REVIEW#CON#<id>`: an agreement or contract of
  `subject_partner_id` submitted for review (see finance/review_queue.py).

Bank account numbers are never stored: only their mask (`**** 7890`) and a keyed hash.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute
from partner_center.storage.registry import register


class FinanceRecord(Model):
    class Meta:
        table_name = "partner-center-finance"

    partner_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    record_id = UnicodeAttribute()
    status = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    reviewed_by = UnicodeAttribute(null=True)
    reviewed_at = UnicodeAttribute(null=True)
    review_note = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)  # who revoked an agreement / cancelled a contract
    closed_at = UnicodeAttribute(null=True)
    # A payment agreement (and its account guard: agreement_id, valid_until)
    payer_account_name = UnicodeAttribute(null=True)
    bank = UnicodeAttribute(null=True)
    account_masked = UnicodeAttribute(null=True)
    account_fingerprint = UnicodeAttribute(null=True)
    entrusted_party = UnicodeAttribute(null=True)
    entrusted_party_type = UnicodeAttribute(null=True)  # individual | enterprise
    valid_from = UnicodeAttribute(null=True)  # Beijing date
    valid_until = UnicodeAttribute(null=True)  # Beijing date, inclusive
    agreement_id = UnicodeAttribute(null=True)
    # A request-payment contract
    customer_id = UnicodeAttribute(null=True)
    amount = DecimalAttribute(null=True)
    purpose = UnicodeAttribute(null=True)
    # A review queue entry: whose agreement or contract awaits review
    subject_partner_id = UnicodeAttribute(null=True)


register(FinanceRecord, "finance")
