"""The job record as the rest of the code sees it."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

from partner_center.storage.models import JobItem


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class JobKind(enum.StrEnum):
    """Every kind of job a record can hold: the exports, and the lead dispatch jobs."""

    CONSUMPTION_DETAILS = "consumption_details"
    MARKETPLACE_BILL_DETAILS = "marketplace_bill_details"
    # Lead dispatch jobs (R7): their file is the per-lead result report.
    LEAD_DISPATCH = "lead_dispatch"
    LEAD_RECALL = "lead_recall"
    ADJUSTMENT_RECORDS = "adjustment_records"
    PARTNER_BILL = "partner_bill"  # the bill as a PDF
    PARTNER_BILL_DETAILS = "partner_bill_details"  # the details a bill covers


class ExportKind(enum.StrEnum):
    """What can be requested as an export: a job kind whose file is an export of the
    partner's data (each has its module in `exports/kinds/`). Lead dispatch and recall
    are jobs too, but not exports."""

    CONSUMPTION_DETAILS = JobKind.CONSUMPTION_DETAILS.value
    MARKETPLACE_BILL_DETAILS = JobKind.MARKETPLACE_BILL_DETAILS.value
    ADJUSTMENT_RECORDS = JobKind.ADJUSTMENT_RECORDS.value
    PARTNER_BILL = JobKind.PARTNER_BILL.value
    PARTNER_BILL_DETAILS = JobKind.PARTNER_BILL_DETAILS.value

    @property
    def job_kind(self) -> JobKind:
        return JobKind(self.value)


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


@dataclass(frozen=True)
class Job:
    partner_id: str
    job_id: str
    kind: JobKind
    format: ExportFormat
    parameters: dict[str, Any]
    status: JobStatus
    progress: int
    row_count: int | None
    byte_size: int | None
    sha256: str | None
    object_key: str | None
    file_name: str | None
    requested_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    error_code: str | None
    last_attempt_error: str | None
    attempts: int
    # Items that succeeded and failed, for jobs that act on a batch (lead dispatch).
    succeeded_count: int | None = None
    failed_count: int | None = None

    @classmethod
    def from_item(cls, item: JobItem) -> Job:
        return cls(
            partner_id=item.partner_id,
            job_id=item.job_id,
            kind=JobKind(item.kind),
            format=ExportFormat(item.format),
            parameters=json.loads(item.parameters or "{}"),
            status=JobStatus(item.status),
            progress=int(item.progress or 0),
            row_count=None if item.row_count is None else int(item.row_count),
            byte_size=None if item.byte_size is None else int(item.byte_size),
            sha256=item.sha256,
            object_key=item.object_key,
            file_name=item.file_name,
            requested_by=item.requested_by or "",
            created_at=item.created_at or "",
            started_at=item.started_at,
            finished_at=item.finished_at,
            error_code=item.error_code,
            last_attempt_error=item.last_attempt_error,
            attempts=int(item.attempts or 0),
            succeeded_count=None if item.succeeded_count is None else int(item.succeeded_count),
            failed_count=None if item.failed_count is None else int(item.failed_count),
        )
