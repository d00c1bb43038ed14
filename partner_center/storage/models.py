"""DynamoDB tables, as pynamodb models.

Every table's hash key is the partner ID: a partner's data can only be reached with the
partner's ID in hand (tenant isolation is structural). The models are only used through
the per-domain stores, which take the partner ID at construction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from partner_center.storage.attributes import DecimalAttribute
from partner_center.storage.registry import register


class DirectoryItem(Model):
    """A partner (entity "PARTNER"), one of its users (entity "USER#<id>") or one of its
    partner-program memberships (entity "PROGRAM#<program>", see incentives/programs.py)."""

    class Meta:
        table_name = "partner-center-directory"

    partner_id = UnicodeAttribute(hash_key=True)
    entity = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    account_type = UnicodeAttribute(null=True)
    login = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    permissions = UnicodeSetAttribute(null=True)
    programs = UnicodeSetAttribute(null=True)  # partner programs the partner is in
    # PROGRAM# items: Beijing dates (YYYY-MM-DD) the membership began and lapsed.
    joined_on = UnicodeAttribute(null=True)
    lapsed_on = UnicodeAttribute(null=True)


class ManagerIndex(GlobalSecondaryIndex["CustomerItem"]):
    class Meta:
        index_name = "by_manager"
        projection = AllProjection()

    partner_manager = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)


# Joins a sort value and the customer ID in the order indexes' keys. Below every
# character a name can hold, so "name, then ID" is the keys' string order (DynamoDB
# compares UTF-8 bytes, which is code point order, as Python does).
ORDER_SEPARATOR = "\x01"


class NameOrderIndex(GlobalSecondaryIndex["CustomerItem"]):
    """The partner's customers by name: a page in name order is one query."""

    class Meta:
        index_name = "by_name"
        projection = AllProjection()

    partner_id = UnicodeAttribute(hash_key=True)
    name_order = UnicodeAttribute(range_key=True)


class CreatedOrderIndex(GlobalSecondaryIndex["CustomerItem"]):
    """The partner's customers by creation time: a page in that order is one query."""

    class Meta:
        index_name = "by_created"
        projection = AllProjection()

    partner_id = UnicodeAttribute(hash_key=True)
    created_order = UnicodeAttribute(range_key=True)


def name_order(name: str, customer_id: str) -> str:
    return f"{name}{ORDER_SEPARATOR}{customer_id}"


def created_order(created_at: datetime, customer_id: str) -> str:
    # As the attribute stores it: fixed-width UTC, so string order is time order.
    return f"{_UTC_DATETIME.serialize(created_at)}{ORDER_SEPARATOR}{customer_id}"


_UTC_DATETIME = UTCDateTimeAttribute()


class CustomerItem(Model):
    class Meta:
        table_name = "partner-center-customers"

    partner_id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    account_name = UnicodeAttribute()
    contact_phone = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    association = UnicodeAttribute()  # "reseller" | "advisory"
    manager_id = UnicodeAttribute(null=True)
    # "<partner>#<manager>": the by_manager index key, so R2 lookups never cross tenants.
    partner_manager = UnicodeAttribute(null=True)
    assigned_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    # Who made the current assignment (the history of all of them is in
    # partner_center.customers.models.AssignmentItem).
    assigned_by = UnicodeAttribute(null=True)
    # Unhandled alerts, kept in step with the alerts table by transactions, so a page of
    # customers shows its alert counts without reading a single alert.
    open_alerts = NumberAttribute(null=True)
    # The order indexes' sort keys, derived from name and created_at whenever the whole
    # item is written (`serialize`): no writer can forget them.
    name_order = UnicodeAttribute(null=True)
    created_order = UnicodeAttribute(null=True)
    by_manager = ManagerIndex()
    by_name = NameOrderIndex()
    by_created = CreatedOrderIndex()

    def serialize(self, null_check: bool = True) -> dict[str, dict[str, Any]]:
        # An item built only to name a key (an update's target) has no name: left alone.
        if self.name is not None and self.customer_id is not None:
            self.name_order = name_order(self.name, self.customer_id)
        if self.created_at is not None and self.customer_id is not None:
            self.created_order = created_order(self.created_at, self.customer_id)
        return super().serialize(null_check)


class ConsumptionLine(Model):
    """One consumption detail line (R4: the final word on what was consumed)."""

    class Meta:
        table_name = "partner-center-consumption"

    partner_id = UnicodeAttribute(hash_key=True)
    # "<charged_at UTC ISO>#<line_id>": a partner's lines in time order, so a date range
    # is a key range and an export streams in order.
    line_key = UnicodeAttribute(range_key=True)
    line_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute()  # snapshot at charge time, as on the bill
    product = UnicodeAttribute()
    resource_id = UnicodeAttribute()
    billing_mode = UnicodeAttribute()
    usage = DecimalAttribute()
    usage_unit = UnicodeAttribute()
    amount = DecimalAttribute()
    charged_at = UnicodeAttribute()
    bill_date = UnicodeAttribute()  # Beijing date, YYYY-MM-DD


class JobItem(Model):
    """A job record (entity "JOB#<id>"), an idempotency claim ("IDEM#<user>#<key>"), or a
    job's input too large for its record ("INPUT#<id>", e.g. a batch's lead IDs, as JSON in
    `parameters`)."""

    class Meta:
        table_name = "partner-center-jobs"

    partner_id = UnicodeAttribute(hash_key=True)
    job_key = UnicodeAttribute(range_key=True)
    job_id = UnicodeAttribute()
    kind = UnicodeAttribute(null=True)
    format = UnicodeAttribute(null=True)
    parameters = UnicodeAttribute(null=True)  # JSON of the validated filters
    request_hash = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    progress = NumberAttribute(null=True)
    row_count = NumberAttribute(null=True)
    byte_size = NumberAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)
    file_name = UnicodeAttribute(null=True)
    requested_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    error_code = UnicodeAttribute(null=True)
    last_attempt_error = UnicodeAttribute(null=True)  # a code, never a message
    attempts = NumberAttribute(null=True)
    lease_token = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # epoch seconds: the cloud's TTL clean-up
    # Batch jobs (lead dispatch): items that succeeded and failed so far.
    succeeded_count = NumberAttribute(null=True)
    failed_count = NumberAttribute(null=True)


register(DirectoryItem, "directory")
register(CustomerItem, "customers")
register(ConsumptionLine, "consumption")
register(JobItem, "jobs")
