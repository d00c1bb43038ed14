"""Structured JSON logs that carry identifiers, never personal data.

Log calls pass IDs, codes and counts as fields; exception messages, request bodies and
record contents are never logged, since they may hold a customer's name or phone.
"""

from __future__ import annotations

import json
import logging
import os
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


class ConsoleFormatter(logging.Formatter):
    """One readable line for a person at a terminal: time, level, message, fields."""

    def format(self, record: logging.LogRecord) -> str:
        values = " ".join(f"{key}={value}" for key, value in getattr(record, "fields", {}).items())
        line = (
            f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} "
            f"{record.getMessage()}  [{record.name.removeprefix('partner_center.')}]"
        )
        if values:
            line += f"  {values}"
        if record.exc_info and record.exc_info[0] is not None:
            line += f"  exception_type={record.exc_info[0].__name__}"  # type only, as JSON
        return line


def console_logs() -> bool:
    """PC_LOG_FORMAT=console|json; by default console on a terminal, JSON otherwise
    (a Lambda's stderr, a pipe, a file: what log tools parse)."""
    chosen = os.environ.get("PC_LOG_FORMAT", "").lower()
    if chosen in ("console", "json"):
        return chosen == "console"
    return sys.stderr.isatty() and not get_settings().is_production


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
    handler.setFormatter(ConsoleFormatter() if console_logs() else JsonFormatter())
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
