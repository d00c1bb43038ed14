"""Lambda entry point: the daily incentive expiry (scheduled)."""

from partner_center.incentives.expiry import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
