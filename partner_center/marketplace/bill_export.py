"""Which marketplace bills may be exported, and with which filters (R9).

Only the details of a bill of category "marketplace product solution" are exported
(the seed names that export, and no other marketplace one); any other bill is refused
with `BILL_NOT_EXPORTABLE` before a job exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partner_center.core.auth import Principal
from partner_center.core.errors import NotFound, Refused
from partner_center.marketplace.bills import get_bill
from partner_center.marketplace.catalog import ProductCategory
from partner_center.marketplace.codes import MarketplaceCode
from partner_center.marketplace.transactions import TransactionFilter

EXPORTABLE = ProductCategory.PRODUCT_SOLUTION


@dataclass(frozen=True)
class BillDetailsExport:
    bill_id: str
    filter: TransactionFilter

    def to_json(self) -> dict[str, Any]:
        return {"bill_id": self.bill_id, **self.filter.to_json()}


def bill_details_export(
    principal: Principal, bill_id: str, flt: TransactionFilter
) -> BillDetailsExport:
    """The validated export request; NOT_FOUND for a bill the caller cannot see."""
    bill = get_bill(principal, bill_id)
    if bill is None:
        raise NotFound("no marketplace bill with this ID", field="billId")
    if bill.category is not EXPORTABLE:
        raise Refused(
            MarketplaceCode.BILL_NOT_EXPORTABLE,
            "only the details of marketplace product solution bills are exported",
            field="billId",
        )
    return BillDetailsExport(bill_id=bill.bill_id, filter=flt.validate())
