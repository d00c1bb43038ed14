"""One signed POST to a receiver (Standard Webhooks): short timeouts, no redirects, to
the address that passed the SSRF check."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from standardwebhooks import Webhook

from partner_center.webhooks.settings import WebhookSettings
from partner_center.webhooks.urls import UrlRefused, check

if TYPE_CHECKING:
    import httpx

USER_AGENT = "partner-center-webhooks/1"


@dataclass(frozen=True)
class Sent:
    ok: bool
    http_status: int | None
    latency_ms: int | None
    error: str | None  # a code: HTTP_503, REDIRECT_NOT_FOLLOWED, TIMEOUT, CONNECT_ERROR…


def body_of(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


def signed_headers(secret: str, webhook_id: str, body: str, now: datetime) -> dict[str, str]:
    signature = Webhook(secret).sign(msg_id=webhook_id, timestamp=now, data=body)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


async def send(
    client: httpx.AsyncClient,
    settings: WebhookSettings,
    url: str,
    secret: str,
    webhook_id: str,
    body: str,
) -> Sent:
    import httpx  # already loaded by new_client, which made `client`

    try:
        # A host name is resolved here, in a thread: getaddrinfo blocks.
        target, address = await asyncio.to_thread(
            check, url, allow_loopback=settings.allow_loopback
        )
    except UrlRefused as refused:
        return Sent(False, None, None, refused.code)
    headers = signed_headers(secret, webhook_id, body, datetime.now(UTC))
    default_port = 443 if target.scheme == "https" else 80
    headers["host"] = target.host if target.port == default_port else f"{target.host}:{target.port}"
    literal = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    # Connect to the checked address, not a fresh lookup of the name (DNS rebinding);
    # TLS still verifies the certificate against the host name (SNI).
    pinned = f"{target.scheme}://{literal}:{target.port}{target.path}"
    started = time.perf_counter()
    try:
        response = await client.post(
            pinned,
            content=body.encode(),
            headers=headers,
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
    except httpx.TimeoutException:
        return Sent(False, None, _ms(started), "TIMEOUT")
    except httpx.ConnectError:
        return Sent(False, None, _ms(started), "CONNECT_ERROR")
    except httpx.HTTPError:
        return Sent(False, None, _ms(started), "HTTP_ERROR")
    latency = _ms(started)
    status = response.status_code
    if 200 <= status < 300:
        return Sent(True, status, latency, None)
    if 300 <= status < 400:
        return Sent(False, status, latency, "REDIRECT_NOT_FOLLOWED")
    return Sent(False, status, latency, f"HTTP_{status}")


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def new_client(settings: WebhookSettings) -> httpx.AsyncClient:
    # Imported here: only the webhook worker sends (the API enqueues, 0.1 s of its start).
    import httpx

    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    # No redirects, no proxies from the environment, nothing read beyond a small answer.
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=20),
    )
