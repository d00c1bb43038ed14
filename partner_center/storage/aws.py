"""aioboto3 clients for SQS and S3, pointed at the configured endpoint."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from partner_center.config import get_settings

if TYPE_CHECKING:
    import aioboto3
    from aiobotocore.config import AioConfig


@lru_cache(maxsize=2)
def _config(local: bool) -> AioConfig:
    from aiobotocore.config import AioConfig  # loaded with aioboto3, at the first client

    # SigV4 presigned URLs carry X-Amz-Expires, the expiry we promise (at most 15 minutes).
    config = AioConfig(
        retries={"max_attempts": 5, "mode": "standard"},
        max_pool_connections=32,
        signature_version="s3v4",
    )
    # The embedded AWS answers on 127.0.0.1: bucket names cannot be host names there.
    return config.merge(AioConfig(s3={"addressing_style": "path"})) if local else config


@lru_cache(maxsize=1)
def session() -> aioboto3.Session:
    # Imported at the first client, not with the module: aioboto3 brings aiobotocore,
    # aiohttp and httpx (a third of a worker's import time), and a container that only
    # refuses a poison or duplicate message, or an API request that touches no queue or
    # bucket, never needs them.
    import aioboto3

    return aioboto3.Session()


def client(service: Literal["s3", "sqs"]) -> AbstractAsyncContextManager[Any]:
    settings = get_settings()
    return session().client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=_config(bool(settings.aws_endpoint_url)),
    )
