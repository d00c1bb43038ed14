"""Lambda entry point: the monthly partner bill run (EventBridge schedule)."""

from partner_center.bills.scheduled import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
