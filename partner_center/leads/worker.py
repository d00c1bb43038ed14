"""The dispatch worker's Lambda handler: lead dispatch and recall jobs from their queue."""

from __future__ import annotations

from partner_center.jobs.worker import job_queue_handler
from partner_center.leads.runner import run_dispatch

handle = job_queue_handler(run_dispatch)
