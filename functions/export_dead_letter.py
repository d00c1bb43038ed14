"""Lambda entry point: the export dead-letter queue's handler."""

from partner_center.exports.dead_letter import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
