"""Streaming an object into S3 by multipart upload.

Nothing is visible under the key until `complete()`: a worker that dies midway leaves
only an incomplete upload, which the bucket's lifecycle rule aborts.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from partner_center.core.faults import fault_point

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's floor for every part but the last


class _PartBody(io.RawIOBase):
    """A part's bytes as a read-only, seekable stream without a copy of them.

    botocore wraps a bytes body in a BytesIO, and the HTTP layer (aiohttp) takes a
    BytesIO's buffer by copying it: 8 MiB more per part in flight. This stream is read
    in chunks (for the checksum, the signature and the upload), from the bytes as they
    are."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        end = min(self._position + len(buffer), len(self._view))
        count = end - self._position
        buffer[:count] = self._view[self._position : end]
        self._position = end
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def __len__(self) -> int:
        return len(self._view)


class MultipartWriter:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        key: str,
        *,
        part_bytes: int,
        content_type: str,
        content_disposition: str,
    ) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.key = key
        self._part_bytes = max(part_bytes, MIN_PART_BYTES)
        self._content_type = content_type
        self._disposition = content_disposition
        self._buffer = io.BytesIO()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None
        self._sha256 = hashlib.sha256()
        self.byte_size = 0

    async def start(self) -> None:
        response = await self._s3.create_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            ContentType=self._content_type,
            ContentDisposition=self._disposition,
            ServerSideEncryption="AES256",
        )
        self._upload_id = response["UploadId"]

    async def write(self, data: bytes) -> None:
        self._sha256.update(data)
        self.byte_size += len(data)
        self._buffer.write(data)
        if self._buffer.tell() >= self._part_bytes:
            await self._upload_part(self._take())

    def _take(self) -> bytes:
        """The buffer's bytes as the part (it may exceed part_bytes by the last write).

        A BytesIO no one else holds hands over its own bytes object (no copy), where a
        bytearray would be copied to bytes here or by the HTTP layer: the writer holds
        one part at a time, not two."""
        chunk, self._buffer = self._buffer.getvalue(), io.BytesIO()
        return chunk

    async def _upload_part(self, chunk: bytes) -> None:
        number = len(self._parts) + 1
        response = await self._s3.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=_PartBody(chunk),
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})
        fault_point("export.part_uploaded")

    async def complete(self) -> str:
        """Upload what is left and make the object visible; returns its sha256."""
        if self._buffer.tell() or not self._parts:
            await self._upload_part(self._take())
        fault_point("export.before_complete")
        await self._s3.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        return self._sha256.hexdigest()

    async def abort(self) -> None:
        """Best effort: the bucket's lifecycle rule aborts whatever this misses."""
        if self._upload_id is None:
            return
        with contextlib.suppress(ClientError, BotoCoreError):
            await self._s3.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self._upload_id
            )
