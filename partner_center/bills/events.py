"""The bill run's event: a partner's bill generated for a month (docs/webhooks.md).

IDs, statuses, counts and timestamps only: never an amount or a customer.
"""

from __future__ import annotations

from partner_center.bills.bill import Bill
from partner_center.webhooks.publish import emit, event_id
from partner_center.webhooks.topics import Topic


def bill_generated(bill: Bill) -> bool:
    data = {
        "bill": {
            "month": str(bill.month),
            "status": bill.status.name,
            "itemCount": bill.item_count,
            "customerCount": bill.customer_count,
            "dataAsOf": bill.data_as_of,
            "generatedAt": bill.generated_at,
        }
    }
    return emit(
        bill.partner_id,
        Topic.PARTNER_BILL_GENERATED,
        event_id("bill", str(bill.month), bill.generation_id),
        data,
        bill.generated_at,
    )
