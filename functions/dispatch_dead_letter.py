"""Lambda entry point: the dispatch dead-letter queue's handler (marks the job failed)."""

from partner_center.exports.dead_letter import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
