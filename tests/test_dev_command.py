"""`partner-center dev` as a process manager would run it: started, then stopped by
SIGTERM, it leaves nothing behind (the embedded AWS runs in a session of its own); piped,
its banner keeps every URL on one line; it records where it runs in its state file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from partner_center.local.aws_server import free_port
from partner_center.local.functions import queue_functions, scheduled_functions


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_stops_the_api_the_workers_the_scheduler_and_the_embedded_aws(
    tmp_path: Path,
) -> None:
    api_port, aws_port = free_port(), free_port()
    log = (tmp_path / "dev.log").open("w+")
    env = dict(os.environ)
    for name in [n for n in env if n.startswith("PC_") or n in ("AWS_ENDPOINT_URL", "COLUMNS")]:
        del env[name]  # dev makes its own environment, as on a newcomer's machine
    state = tmp_path / ".partner-center" / "dev.json"
    dev = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "partner_center.cli.main",
            "dev",
            "--no-demo",
            "--port",
            str(api_port),
            "--aws-port",
            str(aws_port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    children: list[int] = []
    survivors: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while True:
            assert dev.poll() is None, Path(log.name).read_text()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{api_port}/healthz", timeout=1
                ) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "dev did not start in 120 s"
                time.sleep(0.5)
        deadline = time.monotonic() + 10
        while "Ctrl-C stops everything" not in Path(log.name).read_text():
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.1)
        banner = Path(log.name).read_text()
        # Piped (not a terminal, so 80 columns): no URL or schedule is broken across lines.
        lines = banner.splitlines()
        for function in scheduled_functions():
            assert any(f"{function.name} next " in line for line in lines), banner
        api = f"http://127.0.0.1:{api_port}/graphql"
        assert any(line.startswith("API") and api in line for line in lines), banner
        assert any(f"http://127.0.0.1:{aws_port}" in line for line in lines), banner
        assert any(str(state) in line for line in lines), banner
        recorded = json.loads(state.read_text())
        assert (recorded["pid"], recorded["api"]) == (dev.pid, api)
        assert recorded["aws"] == f"http://127.0.0.1:{aws_port}"
        assert recorded["env"]["PC_JOBS_TABLE"]
        assert _listening(aws_port)
        # The embedded AWS, a worker per queue-triggered function, and the scheduler.
        children = _children(dev.pid)
        assert len(children) == 2 + len(queue_functions()), children

        dev.send_signal(signal.SIGTERM)
        dev.wait(timeout=60)
        deadline = time.monotonic() + 10
        while (survivors := [pid for pid in children if _alive(pid)]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.2)
    finally:
        if dev.poll() is None:
            dev.kill()
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)  # nothing left running, even on a failure
    assert "Stopped." in Path(log.name).read_text()
    assert not state.exists(), "the state file outlived dev"
    assert survivors == [], "processes outlived dev"
    assert not _listening(aws_port) and not _listening(api_port)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc (no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of a dead parent is reaped by init; until then it is a zombie, not running.
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"
