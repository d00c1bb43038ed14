"""Time from `partner-center dev` to a healthy /healthz: seeding the demo through the code
(`--fresh-demo`, what the first start does, and the first after a change to the code
that writes data) against loading the snapshot that start saved (every later start).
One run, both measured, the ratio printed; also the CPU the whole process tree (dev,
embedded AWS, workers, scheduler) used from the start until it stopped, which a busy
machine moves less than the wall time.

    .venv/bin/python bench/dev_start.py
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from partner_center.local.aws_server import free_port


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start(cache: str, *extra: str) -> tuple[float, float]:
    """Seconds to a healthy /healthz, and CPU seconds of the process tree."""
    port, aws = free_port(), free_port()
    env = {
        k: v for k, v in os.environ.items() if not (k.startswith("PC_") or k == "AWS_ENDPOINT_URL")
    }
    env["XDG_CACHE_HOME"] = cache
    cpu = _children_cpu()
    with tempfile.TemporaryDirectory() as cwd:
        began = time.monotonic()
        dev = subprocess.Popen(
            [sys.executable, "-m", "partner_center.cli.main", "dev", "--port", str(port),
             "--aws-port", str(aws), *extra],
            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            while True:
                if dev.poll() is not None:
                    raise SystemExit(f"dev exited with {dev.returncode}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                        took = time.monotonic() - began
                        break
                except OSError:
                    time.sleep(0.1)
        finally:
            dev.send_signal(signal.SIGTERM)
            dev.wait(timeout=60)
    # dev waits for its children, so theirs are in its own.
    return took, _children_cpu() - cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        seeded, seeded_cpu = start(cache, "--fresh-demo")
        assert any(Path(cache, "partner-center").glob("demo-*.pickle")), "no snapshot"
        restored, restored_cpu = start(cache)
    print(
        f"dev to /healthz, demo seeded through the code: {seeded:.1f} s "
        f"(CPU of the process tree {seeded_cpu:.1f} s)"
    )
    print(
        f"dev to /healthz, demo loaded from snapshot:    {restored:.1f} s "
        f"(CPU of the process tree {restored_cpu:.1f} s)"
    )
    print(f"ratio seeded/restored: {seeded / restored:.2f}x")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
