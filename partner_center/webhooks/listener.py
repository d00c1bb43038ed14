"""A local webhook receiver: verifies each delivery's signature (Standard Webhooks) and
hands it on. `partner-center webhooks listen` prints them; the tests read them.

Plain `http.server` on 127.0.0.1, one thread per request: it is for a developer's
machine and the tests, not for production.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Received:
    webhook_id: str
    timestamp: str
    signature: str
    body: str
    verified: bool | None  # None: no secret to verify with
    payload: Any


@dataclass
class Receiver:
    """Receives on http://127.0.0.1:<port>/; `status` is what it answers (200 by
    default; a test sets 503 to play a receiver that is down)."""

    secret: str | None = None
    port: int = 0
    status: int = 200
    delay: float = 0.0  # seconds before answering: a slow receiver
    on_receive: Callable[[Received], None] | None = None
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/webhooks"

    def verify(self, body: bytes, headers: dict[str, str]) -> tuple[bool | None, Any]:
        if not self.secret:
            return None, json.loads(body or b"null")
        try:
            return True, Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            return False, None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = min(int(self.headers.get("content-length") or 0), MAX_BODY)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified, payload = receiver.verify(body, headers)
                got = Received(
                    headers.get("webhook-id", ""),
                    headers.get("webhook-timestamp", ""),
                    headers.get("webhook-signature", ""),
                    body.decode("utf-8", "replace"),
                    verified,
                    payload,
                )
                receiver.received.append(got)
                if receiver.on_receive is not None:
                    receiver.on_receive(got)
                status = receiver.status if verified is not False else 401
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the caller prints what matters

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(
            target=self._server.serve_forever, daemon=True, name="webhook-receiver"
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
