"""The local scheduler: what EventBridge does for the scheduled functions in the cloud.

`python -m partner_center.local.scheduler` (started by `partner-center dev`) runs every
function of serverless.yml that has `schedule` events, at its expressions' times (UTC),
calling the same handler with the event EventBridge sends (a "Scheduled Event" whose
`time` is the scheduled minute, which the bill run reads to pick its month) and a
Lambda-like context.

Each run has its own thread, so a long bill run does not hold up the daily roll-up. A
function still running when its next time comes is not started again (that time is
skipped, and logged). After a pause (a laptop asleep), a function whose times passed runs
once, for the latest of them: the scheduled functions catch up on what they missed
themselves.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger

from partner_center.core.clock import utcnow
from partner_center.core.logs import fields, get_logger
from partner_center.local.functions import ScheduledFunction, scheduled_functions
from partner_center.local.lambda_context import LocalContext
from partner_center.local.schedules import trigger

log = get_logger("partner_center.local.scheduler")  # also when run as __main__

LOCAL_ACCOUNT = "000000000000"
ONE_TICK = timedelta(microseconds=1)
# The longest sleep between looks at the clock (a changed system clock is noticed).
MAX_SLEEP_SECONDS = 30.0


def rule_name(function: ScheduledFunction, index: int) -> str:
    return f"{function.name}-schedule-{index + 1}"


def scheduled_event(
    function: ScheduledFunction, at: datetime, index: int, region: str
) -> dict[str, Any]:
    """The event EventBridge delivers for a scheduled rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{LOCAL_ACCOUNT}:rule/{rule_name(function, index)}"],
        "detail": {},
    }


def invoke(function: ScheduledFunction, at: datetime, index: int, region: str) -> Any:
    """Run one scheduled invocation in this process, as Lambda would."""
    handler = function.load_handler()
    return handler(
        scheduled_event(function, at, index, region),
        LocalContext(function_name=function.name, timeout_seconds=function.timeout_seconds),
    )


@dataclass
class Due:
    function: ScheduledFunction
    at: datetime  # the scheduled instant (UTC)
    index: int  # which of the function's schedule events


class Schedule:
    """The next time of every function; `due(now)` hands out what has come."""

    def __init__(self, functions: list[ScheduledFunction], now: datetime) -> None:
        self._triggers: dict[str, list[BaseTrigger]] = {
            f.name: [trigger(e, now) for e in f.expressions] for f in functions
        }
        self._functions = {f.name: f for f in functions}
        self._next: dict[str, Due] = {}
        for function in functions:
            self._plan(function, now)

    def _plan(self, function: ScheduledFunction, after: datetime) -> None:
        """The function's first time strictly after `after`, over all its rules."""
        candidates = []
        for index, rule in enumerate(self._triggers[function.name]):
            at = rule.get_next_fire_time(None, after + ONE_TICK)
            if at is not None:
                candidates.append(Due(function, at, index))
        if candidates:
            self._next[function.name] = min(candidates, key=lambda d: d.at)
        else:
            self._next.pop(function.name, None)

    def next_runs(self) -> list[Due]:
        return sorted(self._next.values(), key=lambda d: d.at)

    def due(self, now: datetime) -> list[Due]:
        """What is due at `now`, once per function (the latest time that has passed),
        and each function planned again after `now`."""
        found = []
        for name, first in list(self._next.items()):
            if first.at > now:
                continue
            latest = first
            while True:
                self._plan(self._functions[name], latest.at)
                following = self._next.get(name)
                if following is None or following.at > now:
                    break
                latest = following
            found.append(latest)
        return found


class Scheduler:
    def __init__(
        self,
        functions: list[ScheduledFunction],
        region: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        run: Callable[[ScheduledFunction, datetime, int, str], Any] = invoke,
    ) -> None:
        self.region = region
        self.clock = clock
        self.run_one = run
        self.schedule = Schedule(functions, clock())
        self._running: dict[str, threading.Thread] = {}

    def tick(self) -> list[threading.Thread]:
        """Start whatever is due now; the threads started."""
        started = []
        for due in self.schedule.due(self.clock()):
            running = self._running.get(due.function.name)
            if running is not None and running.is_alive():
                log.warning(
                    "scheduled run skipped: the previous one is still running",
                    extra=fields(function=due.function.name, scheduled_at=due.at.isoformat()),
                )
                continue
            thread = threading.Thread(
                target=self._run, args=(due,), daemon=True, name=f"scheduled-{due.function.name}"
            )
            self._running[due.function.name] = thread
            thread.start()
            started.append(thread)
        return started

    def _run(self, due: Due) -> None:
        started = time.monotonic()
        log.info(
            "scheduled run started",
            extra=fields(function=due.function.name, scheduled_at=due.at.isoformat()),
        )
        try:
            self.run_one(due.function, due.at, due.index, self.region)
        except Exception as exc:
            # Lambda would log the error and EventBridge would retry; here the next
            # scheduled time is the retry, as the functions catch up on missed work.
            log.error(
                "scheduled run failed",
                exc_info=exc,
                extra=fields(function=due.function.name, scheduled_at=due.at.isoformat()),
            )
            return
        log.info(
            "scheduled run finished",
            extra=fields(
                function=due.function.name,
                scheduled_at=due.at.isoformat(),
                seconds=round(time.monotonic() - started, 3),
            ),
        )

    def seconds_to_next(self) -> float:
        upcoming = self.schedule.next_runs()
        if not upcoming:
            return MAX_SLEEP_SECONDS
        wait = (upcoming[0].at - self.clock()).total_seconds()
        return min(max(wait, 0.0), MAX_SLEEP_SECONDS)

    def run_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(self.seconds_to_next())


def main() -> int:
    from partner_center.runtime import bootstrap

    settings = bootstrap()  # logs as the functions do, before the first one is imported
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    scheduler = Scheduler(scheduled_functions(), settings.region)
    for due in scheduler.schedule.next_runs():
        log.info("scheduled", extra=fields(function=due.function.name, next_at=due.at.isoformat()))
    scheduler.run_until(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
