"""The bills area's enums: the domain's, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.bills.bill import BillStatus
from partner_center.bills.timing import Availability

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(BillStatus, name="PartnerBillStatus", description="generated → confirmed → paid.")
PartnerBillStatus: TypeAlias = BillStatus
strawberry.enum(
    Availability,
    name="PartnerBillAvailability",
    description="Whether a month's bill can be shown, and if not, why.",
)
PartnerBillAvailability: TypeAlias = Availability
