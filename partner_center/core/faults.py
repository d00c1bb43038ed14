"""Named fault points, so tests can crash a real worker process at a chosen step.

`PC_FAULTS="export.part_uploaded=exit,export.start=raise"` makes the process exit hard
(as a killed Lambda would) or raise at those points; `export.page=sleep:0.3` pauses
there (a slow job, to watch its progress). Ignored in production.
"""

from __future__ import annotations

import os
import time


class InjectedFault(RuntimeError):
    pass


def fault_point(name: str) -> None:
    spec = os.environ.get("PC_FAULTS")
    if not spec or os.environ.get("PC_ENV") == "production":
        return
    for entry in spec.split(","):
        point, _, action = entry.strip().partition("=")
        if point != name:
            continue
        if action == "exit":
            os._exit(137)
        if action.startswith("sleep:"):
            time.sleep(float(action.removeprefix("sleep:")))
            continue
        raise InjectedFault(f"injected fault at {name}")
