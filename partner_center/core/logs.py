"""Structured JSON logs that carry identifiers, never personal data.

Log calls pass IDs, codes and counts as fields; exception messages, request bodies and
record contents are never logged, since they may hold a customer's name or phone.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from partner_center.config import get_settings

_configured = False


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: a message or traceback can quote personal data.
            entry["exception_type"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is now (test runners and dev consoles swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def configure() -> None:
    global _configured
    if _configured:
        return
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("partner_center")
    root.handlers[:] = [handler]
    root.setLevel(get_settings().log_level)
    root.propagate = False
    _configured = True


def get_logger(name: str) -> logging.Logger:
    configure()
    return logging.getLogger(name)


def fields(**values: Any) -> dict[str, Any]:
    """`log.info("job claimed", extra=fields(job_id=...))`."""
    return {"fields": values}
