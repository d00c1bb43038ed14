"""The export worker's Lambda handler: export jobs from the export queue."""

from __future__ import annotations

from partner_center.exports.runner import run_export
from partner_center.jobs.worker import job_queue_handler

handle = job_queue_handler(run_export)
