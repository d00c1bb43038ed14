"""The `job` and `jobs` root queries."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.core.ids import node_id_of
from partner_center.api.core.pagination import build_connection, page_request
from partner_center.api.jobs.types import JobConnection, JobNode
from partner_center.core.errors import NotFound
from partner_center.jobs import service


async def job(info: Info, id: relay.GlobalID) -> JobNode | None:
    job_id = node_id_of(id, "Job", "id")
    found = await service.get_job(info.context.principal, job_id)
    if found is None:
        raise NotFound("no job with this ID")
    return JobNode.of(found)


async def jobs(info: Info, first: int | None = None, after: str | None = None) -> JobConnection:
    page = page_request(first, after, "job")
    found, has_next = await service.list_jobs(
        info.context.principal, after_job_id=page.after, limit=page.size
    )
    nodes = [JobNode.of(j) for j in found]
    return build_connection(JobConnection, nodes, has_next, "job", lambda n: n.job_id, after)


@strawberry.type
class Query:
    job: JobNode | None = access.query(
        "Query.job", job, "A job by ID; NOT_FOUND when the caller may not see it."
    )
    jobs: JobConnection = access.query(
        "Query.jobs",
        jobs,
        "The caller's jobs, newest first (an administrator sees every job of its partner).",
    )
