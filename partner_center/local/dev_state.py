"""Where a running `partner-center dev` is: the state file the other commands default to.

`partner-center dev` writes `.partner-center/dev.json` in the directory it was started
from (or the file `PC_DEV_STATE` names) once its API answers, and removes it when it
stops. It holds the API's URL, the embedded AWS's endpoint, the stack's table and queue
names and the process ID. Every other command looks for that file in its working
directory and the directories above it (as git finds `.git`), so `partner-center export
…` or `partner-center bills generate …` in the checkout find the server without `--api`
or `--aws`; those options still win when given. A file whose process is gone (a dev
killed with SIGKILL) is stale: it is ignored and removed.

One file per directory keeps two checkouts on one machine (each with its own dev on its
own ports) from pointing at each other's servers.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_ENV = "PC_DEV_STATE"
STATE_DIR = ".partner-center"
STATE_NAME = "dev.json"


@dataclass(frozen=True)
class DevState:
    pid: int
    api: str  # the /graphql URL
    health: str  # the /healthz URL
    aws: str  # the embedded AWS's endpoint
    region: str
    stack: str
    # The settings environment of the stack (PC_*_TABLE, PC_*_QUEUE_URL, AWS_*): what
    # a command that runs a function in its own process needs.
    env: dict[str, str] = field(default_factory=dict)
    started_at: str = ""


def default_path(cwd: Path | None = None) -> Path:
    """Where `dev` started here writes its state."""
    named = os.environ.get(STATE_ENV)
    if named:
        return Path(named)
    return (cwd or Path.cwd()) / STATE_DIR / STATE_NAME


def find(cwd: Path | None = None) -> Path | None:
    """The state file that applies here: PC_DEV_STATE, else the nearest
    `.partner-center/dev.json` in this directory or above."""
    named = os.environ.get(STATE_ENV)
    if named:
        return Path(named) if Path(named).is_file() else None
    start = (cwd or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        candidate = directory / STATE_DIR / STATE_NAME
        if candidate.is_file():
            return candidate
    return None


def write(state: DevState, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(asdict(state), indent=2) + "\n", encoding="utf-8")
    partial.replace(path)


def parse(path: Path) -> DevState | None:
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return DevState(**raw)
    except (OSError, ValueError, TypeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: running
    try:  # a zombie (dead, not yet reaped) is not running
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@dataclass(frozen=True)
class Lookup:
    state: DevState | None
    path: Path | None
    stale: bool = False  # a file was found, but its dev is gone (and it was removed)


def lookup(cwd: Path | None = None) -> Lookup:
    """The running dev's state, if one applies here; a stale file is removed."""
    path = find(cwd)
    if path is None:
        return Lookup(None, None)
    state = parse(path)
    if state is None or not alive(state.pid):
        path.unlink(missing_ok=True)
        return Lookup(None, path, stale=True)
    return Lookup(state, path)


def remove(path: Path, pid: int) -> None:
    """Remove the file if it is still this process's (a later dev may have replaced it)."""
    state = parse(path)
    if state is not None and state.pid == pid:
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when empty
