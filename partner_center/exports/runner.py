"""Running one export job: claim it, stream it to S3, complete it.

At-least-once in, exactly-once out: a duplicate delivery finds the job claimed or done
and does nothing; a failed attempt aborts its upload (nothing half-written is ever
visible) and hands the job back for the message's redelivery to retry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from partner_center.config import Settings
from partner_center.core.faults import fault_point
from partner_center.core.logs import fields, get_logger
from partner_center.exports import kinds
from partner_center.exports.columns import Anonymizer
from partner_center.exports.encodings import ENCODINGS, DocumentEncoder
from partner_center.exports.multipart import MultipartWriter
from partner_center.exports.plan import ExportPlan
from partner_center.exports.prefetch import prefetch
from partner_center.jobs.attempt import LeaseLost, attempt, failure_code
from partner_center.jobs.codes import JobCode
from partner_center.jobs.model import ExportFormat, ExportKind, Job
from partner_center.jobs.store import Claim, JobStore
from partner_center.storage import aws
from partner_center.webhooks.job_events import job_finished

log = get_logger(__name__)


# Often enough for a progress bar to move on a job of a few seconds; each report is one
# small conditional update of the job record (which also renews the lease).
PROGRESS_EVERY_SECONDS = 0.5


def error_code(exc: BaseException) -> JobCode:
    return failure_code(exc, JobCode.EXPORT_ERROR)


def object_key(job: Job, file_name: str) -> str:
    return f"exports/{job.partner_id}/{job.job_id}/{file_name}"


async def run_export(partner_id: str, job_id: str, settings: Settings) -> str:
    """Returns what happened ("completed", "duplicate: <status>"); raises to retry."""
    store = JobStore(partner_id)
    lease = timedelta(seconds=settings.job_lease_seconds)

    async def work(claim: Claim) -> None:
        fault_point("export.start")
        await _stream(claim, store, settings, lease)

    outcome = await attempt(store, job_id, lease, noun="export", work=work, error_code=error_code)
    # Once the job is finished (now, or by an earlier delivery of this message): its
    # event is recorded once and queued for webhooks; a duplicate records nothing.
    await job_finished(partner_id, job_id)
    return outcome


@dataclass(frozen=True)
class Written:
    rows: int
    byte_size: int
    sha256: str


ProgressHook = Callable[[int, Any], Awaitable[None]]


async def write_export(
    plan: ExportPlan,
    s3: Any,
    bucket: str,
    key: str,
    file_name: str,
    *,
    part_bytes: int,
    on_page: ProgressHook | None = None,
    fmt: ExportFormat = ExportFormat.CSV,
) -> Written:
    """Stream a plan's pages through the anonymizer and an encoder into one S3 object.

    Memory holds a few pages and one part, whatever the row count; the object appears
    only when the upload completes.
    """
    anonymizer = Anonymizer(plan.columns)
    encoding = ENCODINGS[fmt]
    encoder = encoding.encoder(anonymizer.headers, anonymizer.columns)
    if encoding.document:
        if plan.cover is None:
            raise ValueError(f"a {fmt.value} export needs a cover")
        # The cover's values pass the same anonymizer as every row (Cover.cells).
        cast(DocumentEncoder, encoder).set_cover(plan.cover.title, plan.cover.cells())
    rows = 0
    writer = MultipartWriter(
        s3,
        bucket,
        key,
        part_bytes=part_bytes,
        content_type=encoding.content_type,
        content_disposition=f'attachment; filename="{file_name}"',
    )
    await writer.start()
    try:
        async for page in prefetch(plan.pages):
            await writer.write(encoder.encode([anonymizer.row(r) for r in page]))
            rows += len(page)
            if on_page is not None:
                await on_page(rows, page[-1])
        for chunk in encoder.finish():
            await writer.write(chunk)
        sha256 = await writer.complete()
    except BaseException:
        await asyncio.shield(writer.abort())
        raise
    return Written(rows=rows, byte_size=writer.byte_size, sha256=sha256)


async def _stream(claim: Claim, store: JobStore, settings: Settings, lease: timedelta) -> None:
    job = claim.job
    plan = await asyncio.to_thread(kinds.spec(ExportKind(job.kind)).plan, job)
    file_name = f"{plan.file_stem}-{job.job_id}.{job.format.value}"
    key = object_key(job, file_name)
    # Report (and so renew the lease) well before it could lapse.
    report_every = min(PROGRESS_EVERY_SECONDS, lease.total_seconds() / 3)
    last_report = time.monotonic()

    async def on_page(rows: int, last: Any) -> None:
        nonlocal last_report
        fault_point("export.page")  # tests pause here to see a job mid-way
        if time.monotonic() - last_report < report_every:
            return
        last_report = time.monotonic()
        percent = min(99, int(plan.progress(last) * 100))
        if not await asyncio.to_thread(
            store.report_progress, job.job_id, claim.token, percent, rows, lease
        ):
            raise LeaseLost(job.job_id)

    async with aws.client("s3") as s3:
        written = await write_export(
            plan,
            s3,
            settings.exports_bucket,
            key,
            file_name,
            part_bytes=settings.multipart_part_bytes,
            on_page=on_page,
            fmt=job.format,
        )
    done = await asyncio.to_thread(
        store.complete,
        job.job_id,
        claim.token,
        object_key=key,
        file_name=file_name,
        row_count=written.rows,
        byte_size=written.byte_size,
        sha256=written.sha256,
    )
    if not done:
        # The object is complete and identical to what the new owner writes; only the
        # record belongs to the other attempt now.
        raise LeaseLost(job.job_id)
    log.info(
        "export completed",
        extra=fields(job_id=job.job_id, rows=written.rows, bytes=written.byte_size),
    )
