"""Streaming an object into S3 by multipart upload.

Nothing is visible under the key until `complete()`: a worker that dies midway leaves
only an incomplete upload, which the bucket's lifecycle rule aborts.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from partner_center.core.faults import fault_point

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's floor for every part but the last


class MultipartWriter:
    def __init__(self, s3: Any, bucket: str, key: str, *, part_bytes: int,
                 content_type: str, content_disposition: str) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.key = key
        self._part_bytes = max(part_bytes, MIN_PART_BYTES)
        self._content_type = content_type
        self._disposition = content_disposition
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None
        self._sha256 = hashlib.sha256()
        self.byte_size = 0

    async def start(self) -> None:
        response = await self._s3.create_multipart_upload(
            Bucket=self.bucket, Key=self.key, ContentType=self._content_type,
            ContentDisposition=self._disposition, ServerSideEncryption="AES256",
        )
        self._upload_id = response["UploadId"]

    async def write(self, data: bytes) -> None:
        self._sha256.update(data)
        self.byte_size += len(data)
        self._buffer += data
        if len(self._buffer) >= self._part_bytes:
            # The buffer itself is the part (a part may exceed part_bytes by the last
            # write): no copy, so the writer holds one part at a time, not two.
            chunk, self._buffer = self._buffer, bytearray()
            await self._upload_part(chunk)

    async def _upload_part(self, chunk: bytes | bytearray) -> None:
        number = len(self._parts) + 1
        response = await self._s3.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id,
            PartNumber=number, Body=chunk,
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})
        fault_point("export.part_uploaded")

    async def complete(self) -> str:
        """Upload what is left and make the object visible; returns its sha256."""
        if self._buffer or not self._parts:
            chunk, self._buffer = self._buffer, bytearray()
            await self._upload_part(chunk)
        fault_point("export.before_complete")
        await self._s3.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        return self._sha256.hexdigest()

    async def abort(self) -> None:
        """Best effort: the bucket's lifecycle rule aborts whatever this misses."""
        if self._upload_id is None:
            return
        with contextlib.suppress(ClientError, BotoCoreError):
            await self._s3.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)
