"""Run a blocking page iterator in a thread, a few pages ahead of the async consumer.

DynamoDB reads (pynamodb, blocking) then overlap with masking, encoding and the S3
upload, while the bounded queue keeps memory flat however long the export is.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


async def prefetch(pages: Iterator[T], depth: int = 2) -> AsyncIterator[T]:
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        # Never block for good: the consumer may have stopped reading.
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not offer(page):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            offer(_Failure(exc))

    producer = asyncio.get_running_loop().run_in_executor(None, produce)
    try:
        while True:
            item = await asyncio.to_thread(slots.get)
            if item is _DONE:
                break
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while not slots.empty():
            slots.get_nowait()
        await asyncio.shield(producer)
