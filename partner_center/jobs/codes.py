"""Codes of jobs: why a job failed (`Job.errorCode`, `lastAttemptError`) and why a job
request was refused (the payload's `errors { code }`)."""

from __future__ import annotations

import enum


class JobCode(enum.StrEnum):
    # A request refused before a job runs.
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    ENQUEUE_FAILED = "ENQUEUE_FAILED"
    JOB_EXPIRED = "JOB_EXPIRED"  # a replayed request whose job has since expired
    # A failed job, after its last delivery.
    RETRIES_EXHAUSTED = "RETRIES_EXHAUSTED"
    # One failed attempt (the message is delivered again).
    INJECTED_FAULT = "INJECTED_FAULT"
    LEASE_LOST = "LEASE_LOST"
    STORAGE_ERROR = "STORAGE_ERROR"
    EXPORT_ERROR = "EXPORT_ERROR"
    LEAD_CONTENTION = "LEAD_CONTENTION"
    JOB_INPUT_MISSING = "JOB_INPUT_MISSING"
    DISPATCH_ERROR = "DISPATCH_ERROR"
