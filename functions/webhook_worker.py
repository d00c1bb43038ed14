"""Lambda entry point: the webhook queue's worker (fan-out and signed delivery)."""

from partner_center.runtime import bootstrap
from partner_center.webhooks.worker import handle

bootstrap()
handler = handle
