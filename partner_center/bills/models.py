"""The bills and bandwidth tables.

Bills table, under the partner:
- `BILL#<YYYY-MM>`: the bill of a month (one per partner and month: the key is the ID).
- `ITEM#<YYYY-MM>#<generation>#<seq>`: its line items, written before the bill itself
  under the generation that wrote them; the bill names its generation, so items of a
  generation that lost the race (or crashed) are never read.
- `ADJ#<YYYY-MM>#<id>`: adjustments applied to the bill.

Bandwidth table, under the partner:
- `RES#<resource>`: a resource billed on its monthly 95th-percentile peak (R13).
- `S#<YYYY-MM>#<resource>#<DD>`: one Beijing day of its 5-minute samples (288 of them,
  kbps as little-endian int64, -1 for a missing sample); a month of a partner is one key
  range, grouped by resource.
"""

from __future__ import annotations

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute
from partner_center.storage.registry import register


class BillRecord(Model):
    class Meta:
        table_name = "partner-center-bills"

    partner_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    month = UnicodeAttribute()
    # The bill
    status = UnicodeAttribute(null=True)  # generated | confirmed | paid
    generation_id = UnicodeAttribute(null=True)
    consumption_total = DecimalAttribute(null=True)
    adjustment_total = DecimalAttribute(null=True)
    amount_due = DecimalAttribute(null=True)
    detail_count = NumberAttribute(null=True)  # consumption details covered
    item_count = NumberAttribute(null=True)
    customer_count = NumberAttribute(null=True)
    data_as_of = UnicodeAttribute(null=True)  # UTC ISO: R12's cut-off
    generated_at = UnicodeAttribute(null=True)
    confirmed_at = UnicodeAttribute(null=True)
    confirmed_by = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    paid_recorded_by = UnicodeAttribute(null=True)
    payment_reference = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    # A line item (customer, product, billing mode)
    seq = NumberAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)  # the details' snapshot
    product = UnicodeAttribute(null=True)
    billing_mode = UnicodeAttribute(null=True)
    usage = DecimalAttribute(null=True)
    usage_unit = UnicodeAttribute(null=True)
    amount = DecimalAttribute(null=True)  # an item's or an adjustment's
    # An adjustment
    adjustment_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)


class BandwidthRecord(Model):
    class Meta:
        table_name = "partner-center-bandwidth"

    partner_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    resource_id = UnicodeAttribute()
    # The resource
    customer_id = UnicodeAttribute(null=True)
    product = UnicodeAttribute(null=True)
    active_from = UnicodeAttribute(null=True)  # UTC ISO
    active_until = UnicodeAttribute(null=True)  # UTC ISO, exclusive; None while it lives
    # One day of samples
    day = UnicodeAttribute(null=True)  # Beijing date
    samples = BinaryAttribute(null=True, legacy_encoding=False)


register(BillRecord, "bills")
register(BandwidthRecord, "bandwidth")
