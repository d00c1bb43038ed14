"""Lambda entry point: the lead dispatch queue's worker."""

from partner_center.leads.worker import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
