"""A local worker process: one queue-triggered function, polling its queue.

`python -m partner_center.local.worker exportWorker` with the environment the local
runtime prepared; stops on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import signal
import sys
import threading

import boto3

from partner_center.config import get_settings
from partner_center.local.functions import QueueFunction, queue_functions
from partner_center.local.sqs_poller import QueuePoller


def poller_for(function: QueueFunction, queue_url: str) -> QueuePoller:
    settings = get_settings()
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url, region_name=settings.region)
    return QueuePoller(
        sqs,
        queue_url,
        function.load_handler(),
        function_name=function.name,
        batch_size=function.batch_size,
        timeout_seconds=function.timeout_seconds,
    )


def main(argv: list[str]) -> int:
    name, queue_url = argv[0], argv[1]
    function = next(f for f in queue_functions() if f.name == name)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    poller_for(function, queue_url).run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
