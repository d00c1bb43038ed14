"""Lambda entry point: the daily consumption roll-up (scheduled)."""

from partner_center.consumption.rollup_handler import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
