"""The export worker's Lambda handler: export jobs from the export queue."""

from __future__ import annotations

from partner_center.exports import kinds
from partner_center.exports.runner import run_export
from partner_center.jobs.worker import job_queue_handler

# This worker runs every export kind: their modules load at its cold start, not on the
# first job (the dispatch worker shares the runner's writer and loads none of them).
kinds.registry()

handle = job_queue_handler(run_export)
