"""Tables of the customers area: assignment history, alerts and adjustment records.

Every hash key is the partner ID (tenant isolation is structural); range keys start
with what the area reads by, so a read is a key range rather than a scan.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute
from partner_center.storage.registry import register


class AssignmentItem(Model):
    """One change of a customer's manager (R2), kept for good: R5 and audits need who
    moved the customer, when, and from whom to whom."""

    class Meta:
        table_name = "partner-center-customer-assignments"

    partner_id = UnicodeAttribute(hash_key=True)
    # "<customer_id>#<at UTC ISO>#<id>": a customer's history is a key range, in order.
    history_key = UnicodeAttribute(range_key=True)
    customer_id = UnicodeAttribute()
    action = UnicodeAttribute()  # assign | reassign | unassign
    from_manager = UnicodeAttribute(null=True)
    to_manager = UnicodeAttribute(null=True)
    by_user = UnicodeAttribute()
    at = UnicodeAttribute()  # UTC ISO


class AlertsByCustomer(GlobalSecondaryIndex["AlertItem"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    # "<partner>#<customer>": a customer's alerts without crossing tenants.
    partner_customer = UnicodeAttribute(hash_key=True)
    alert_id = UnicodeAttribute(range_key=True)


class AlertItem(Model):
    """An alert raised on a customer (balance low, arrears, resources expiring).

    Handling sets who, when and a remark; the alert itself is never deleted."""

    class Meta:
        table_name = "partner-center-customer-alerts"

    partner_id = UnicodeAttribute(hash_key=True)
    alert_id = UnicodeAttribute(range_key=True)  # time-ordered: newest first is a reverse scan
    partner_customer = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    alert_type = UnicodeAttribute()  # balance_low | arrears | resource_expiring
    severity = UnicodeAttribute()  # info | warning | critical
    title = UnicodeAttribute()  # generated text naming no person
    resource_id = UnicodeAttribute(null=True)
    raised_at = UnicodeAttribute()  # UTC ISO
    handled_at = UnicodeAttribute(null=True)
    handled_by = UnicodeAttribute(null=True)
    remark = UnicodeAttribute(null=True)
    by_customer = AlertsByCustomer()


class AdjustmentItem(Model):
    """A credit or debit a partner applied to a customer's bill (调账记录)."""

    class Meta:
        table_name = "partner-center-adjustments"

    partner_id = UnicodeAttribute(hash_key=True)
    # "<applied_at UTC ISO>#<id>": a Beijing date range is a key range, exports stream in
    # time order.
    adjustment_key = UnicodeAttribute(range_key=True)
    adjustment_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute()  # snapshot, as on the bill
    adjustment_type = UnicodeAttribute()  # credit | debit
    amount = DecimalAttribute()  # positive; the type gives the direction
    currency = UnicodeAttribute()
    bill_month = UnicodeAttribute()  # YYYY-MM of the adjusted bill
    reason = UnicodeAttribute()  # a reason code, never free text
    operator_id = UnicodeAttribute()
    operator_name = UnicodeAttribute()
    applied_at = UnicodeAttribute()  # UTC ISO
    bill_date = UnicodeAttribute()  # Beijing date of applied_at


register(AssignmentItem, "customer_assignments")
register(AlertItem, "customer_alerts")
register(AdjustmentItem, "adjustments")
