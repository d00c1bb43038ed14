"""Lambda entry point: the webhook dead-letter queue's handler (marks deliveries failed)."""

from partner_center.runtime import bootstrap
from partner_center.webhooks.dead_letter import handle

bootstrap()
handler = handle
