"""The incentives table: incentives, disbursement applications and shared opportunities.

One table, hash key the partner ID (tenant isolation is structural), range key by kind:
"INC#<incentive id>", "APP#<application id>", "OPP#<opportunity id>". IDs are
time-ordered, so a reverse key scan under a prefix lists newest first.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute, StringListAttribute
from partner_center.storage.registry import register

INCENTIVE_PREFIX = "INC#"
APPLICATION_PREFIX = "APP#"
OPPORTUNITY_PREFIX = "OPP#"


class TransitionEntry(MapAttribute):
    """One status change, appended in the same write that makes it."""

    from_status = UnicodeAttribute()
    to_status = UnicodeAttribute()
    actor = UnicodeAttribute()  # partner | operations | system
    user_id = UnicodeAttribute(null=True)  # None for the scheduled expiry
    at = UnicodeAttribute()  # UTC ISO instant
    application_id = UnicodeAttribute(null=True)


class IncentiveItem(Model):
    class Meta:
        table_name = "partner-center-incentives"

    partner_id = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)
    incentive_id = UnicodeAttribute()
    program = UnicodeAttribute()
    period = UnicodeAttribute()  # the performance month, YYYY-MM
    incentive_type = UnicodeAttribute()
    amount = DecimalAttribute()  # signed: negative incentives are deductions
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    notified_on = UnicodeAttribute(null=True)  # Beijing date; R18
    application_id = UnicodeAttribute(null=True)
    history = ListAttribute(of=TransitionEntry, default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ApplicationItem(Model):
    class Meta:
        table_name = "partner-center-incentives"

    partner_id = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)
    application_id = UnicodeAttribute()
    status = UnicodeAttribute()  # submitted | approved
    positive_ids = StringListAttribute()
    negative_ids = StringListAttribute()
    positive_total = DecimalAttribute()
    negative_total = DecimalAttribute()
    net_amount = DecimalAttribute()
    currency = UnicodeAttribute()
    applied_by = UnicodeAttribute()
    applied_at = UnicodeAttribute()
    approved_by = UnicodeAttribute(null=True)
    approved_at = UnicodeAttribute(null=True)


class OpportunityItem(Model):
    class Meta:
        table_name = "partner-center-incentives"

    partner_id = UnicodeAttribute(hash_key=True)
    item_key = UnicodeAttribute(range_key=True)
    opportunity_id = UnicodeAttribute()
    title = UnicodeAttribute()
    customer_name = UnicodeAttribute()
    status = UnicodeAttribute()  # circulated | distributed | confirmed | closed
    shared_via_pce = BooleanAttribute()  # came through opportunity sharing (not for GMV: R21)
    estimated_amount = DecimalAttribute(null=True)
    shared_on = UnicodeAttribute()  # Beijing date
    # The transaction, once there is one: how it was transacted decides GMV (R21).
    transaction_method = UnicodeAttribute(null=True)
    deal_amount = DecimalAttribute(null=True)
    transacted_on = UnicodeAttribute(null=True)  # Beijing date


register(IncentiveItem, "incentives")
register(ApplicationItem, "incentives")
register(OpportunityItem, "incentives")
