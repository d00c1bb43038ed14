"""Lambda entry point: the webhook queue's worker (fan-out and signed delivery)."""

from partner_center.runtime import bootstrap
from partner_center.webhooks.settings import webhook_settings
from partner_center.webhooks.worker import handle

bootstrap()
webhook_settings()  # production: the key that opens signing secrets, or no start
handler = handle
