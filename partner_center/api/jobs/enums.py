"""The jobs area's enums: the domain's, registered under their GraphQL names."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from partner_center.jobs.model import ExportFormat, ExportKind, JobKind, JobStatus

# Each domain enum is registered under its GraphQL name, and annotations use it through
# an alias: a type checker takes no call's result as a type.
strawberry.enum(JobStatus, name="JobStatus")
JobStatusEnum: TypeAlias = JobStatus
strawberry.enum(JobKind, name="JobKind")
JobKindEnum: TypeAlias = JobKind
strawberry.enum(
    ExportKind,
    name="ExportKind",
    description="What requestExport can write: the job kinds that are exports.",
)
ExportKindEnum: TypeAlias = ExportKind
strawberry.enum(ExportFormat, name="ExportFormat")
ExportFormatEnum: TypeAlias = ExportFormat
