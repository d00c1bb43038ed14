"""Lambda entry point: the export queue's worker."""

from partner_center.exports.worker import handle
from partner_center.runtime import bootstrap

bootstrap()
handler = handle
