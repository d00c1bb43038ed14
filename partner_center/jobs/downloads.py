"""Short-lived download links for finished job files."""

from __future__ import annotations

from urllib.parse import quote

from partner_center.config import MAX_DOWNLOAD_URL_SECONDS, Settings
from partner_center.jobs.model import Job, JobStatus
from partner_center.storage import aws


async def download_url(job: Job, settings: Settings) -> str | None:
    if job.status is not JobStatus.SUCCEEDED or not job.object_key:
        return None
    seconds = min(settings.download_url_seconds, MAX_DOWNLOAD_URL_SECONDS)
    disposition = f"attachment; filename*=UTF-8''{quote(job.file_name or 'export')}"
    async with aws.client("s3") as s3:
        return await s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": settings.exports_bucket,
                "Key": job.object_key,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=seconds,
        )
