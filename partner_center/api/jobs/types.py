"""The `Job` node, its connection and the `requestExport` payload."""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from strawberry import relay

from partner_center.api.context import Info
from partner_center.api.core.nodes import LoadedNode
from partner_center.api.core.payloads import Payload
from partner_center.api.jobs.enums import ExportFormatEnum, JobKindEnum, JobStatusEnum
from partner_center.api.jobs.loaders import job_loader
from partner_center.core.clock import from_iso, from_iso_or_none, utcnow
from partner_center.jobs.downloads import download_url
from partner_center.jobs.model import Job, JobStatus


@strawberry.type(
    name="Job", description="An asynchronous export (or other slow work) and its outcome."
)
class JobNode(LoadedNode, relay.Node):
    job_id: relay.NodeID[str]
    job: strawberry.Private[Job]
    # Plain fields (read from the attribute, no resolver per row), filled by `of`.
    kind: JobKindEnum
    format: ExportFormatEnum
    status: JobStatusEnum
    progress: int = strawberry.field(description="0 to 100; 100 once the file is complete.")
    row_count: int | None = strawberry.field(description="Rows written (so far, while running).")
    byte_size: int | None
    sha256: str | None = strawberry.field(description="SHA-256 of the file, hex.")
    file_name: str | None
    parameters: strawberry.scalars.JSON = strawberry.field(
        description="The filters the job was requested with (for a lead "
        "dispatch job: its action, staff and lead count), as JSON."
    )
    succeeded_count: int | None = strawberry.field(
        description="Items that succeeded so far (batch jobs: leads)."
    )
    failed_count: int | None = strawberry.field(
        description="Items that failed so far (batch jobs: leads)."
    )
    requested_by: relay.GlobalID = strawberry.field(
        description="The ID of the user who requested the job."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error_code: str | None = strawberry.field(description="Why the job failed, as a stable code.")
    last_attempt_error: str | None = strawberry.field(
        description="The code of the last failed attempt, if any."
    )
    attempts: int

    @classmethod
    def of(cls, job: Job) -> JobNode:
        parameters = job.parameters
        return cls(
            job_id=job.job_id,
            job=job,
            kind=job.kind,
            format=job.format,
            status=job.status,
            progress=job.progress,
            row_count=job.row_count,
            # The size is the finished file's: a running job's is not final.
            byte_size=job.byte_size if job.status is JobStatus.SUCCEEDED else None,
            sha256=job.sha256,
            file_name=job.file_name,
            parameters=strawberry.scalars.JSON(
                parameters.get("filter") or parameters.get("dispatch") or {}
            ),
            succeeded_count=job.succeeded_count,
            failed_count=job.failed_count,
            requested_by=relay.GlobalID("User", job.requested_by),
            created_at=from_iso(job.created_at),
            started_at=from_iso_or_none(job.started_at),
            finished_at=from_iso_or_none(job.finished_at),
            error_code=job.error_code,
            last_attempt_error=job.last_attempt_error,
            attempts=job.attempts,
        )

    @strawberry.field(
        description="A presigned link to the file, valid for at most 15 "
        "minutes from this response; null until it succeeded."
    )
    async def download_url(self, info: Info) -> str | None:
        return await download_url(self.job, info.context.settings)

    @strawberry.field(description="When `downloadUrl` stops working.")
    def download_url_expires_at(self, info: Info) -> datetime | None:
        if self.job.status is not JobStatus.SUCCEEDED:
            return None
        return utcnow() + timedelta(seconds=info.context.settings.download_url_seconds)

    node_loader = job_loader


@strawberry.type(name="JobConnection")
class JobConnection(relay.Connection[JobNode]):
    pass


@strawberry.type
class RequestExportPayload(Payload):
    job: JobNode | None
    created: bool = False
