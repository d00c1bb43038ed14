"""Identifiers: time-ordered, so a newest-first query is a reverse key scan."""

from __future__ import annotations

import secrets
import time


def new_id() -> str:
    """12 hex digits of milliseconds, then 16 random hex digits (fixed width, sortable)."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(8)}"
