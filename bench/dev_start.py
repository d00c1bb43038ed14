"""Time from `partner-center dev` to a healthy /healthz: seeding the demo through the code
(`--fresh-demo`, what a first start of the day does) against restoring the snapshot that
start saved (every later start). One run, both measured, the ratio printed.

    .venv/bin/python bench/dev_start.py
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from partner_center.local.aws_server import free_port


def start(cache: str, *extra: str) -> float:
    port, aws = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PC_") or k == "AWS_ENDPOINT_URL")}
    env["XDG_CACHE_HOME"] = cache
    with tempfile.TemporaryDirectory() as cwd:
        began = time.monotonic()
        dev = subprocess.Popen([sys.executable, "-m", "partner_center.cli.main", "dev",
                                "--port", str(port), "--aws-port", str(aws), *extra],
                               cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            while True:
                if dev.poll() is not None:
                    raise SystemExit(f"dev exited with {dev.returncode}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                                timeout=1):
                        return time.monotonic() - began
                except OSError:
                    time.sleep(0.1)
        finally:
            dev.send_signal(signal.SIGTERM)
            dev.wait(timeout=60)


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        seeded = start(cache, "--fresh-demo")
        assert any(Path(cache, "partner-center").glob("demo-*.json.gz")), "no snapshot"
        restored = start(cache)
    print(f"dev to /healthz, demo seeded through the code: {seeded:.1f} s")
    print(f"dev to /healthz, demo restored from snapshot:  {restored:.1f} s")
    print(f"ratio seeded/restored: {seeded / restored:.2f}x")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
