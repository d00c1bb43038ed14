"""The embedded AWS: moto in server mode on 127.0.0.1, in a child process.

moto runs with the DynamoDB fidelity fixes of `partner_center.local.moto_server`
(atomic conditional writes and transactions under concurrent requests).

A separate process keeps moto's work off the API's and workers' interpreter (and out of
their memory measurements), and every client talks to it over real HTTP, as in the cloud.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

# moto accepts any credentials; these keep botocore from searching for real ones.
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedAws:
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> EmbeddedAws:
        return self.launch().wait_ready(timeout)

    def launch(self) -> EmbeddedAws:
        """Start the server process and return at once (it takes seconds to answer)."""
        self.port = self.port or free_port()
        env = {**os.environ, **LOCAL_CREDENTIALS}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "partner_center.local.moto_server",
                "-H",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Out of the terminal's process group: Ctrl-C reaches the API and workers,
            # which finish their last calls against a server that is still up; the
            # owner stops it last (and at exit, should the owner forget).
            start_new_session=True,
        )
        atexit.register(self.stop)
        return self

    def wait_ready(self, timeout: float = 30.0) -> EmbeddedAws:
        """Return once the launched server answers."""
        assert self.process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the embedded AWS exited (code {self.process.returncode});"
                    f" is port {self.port} free?"
                )
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the embedded AWS did not start in time")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
