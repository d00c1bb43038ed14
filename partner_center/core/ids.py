"""Identifiers: time-ordered, so a newest-first query is a reverse key scan."""

from __future__ import annotations

import base64
import secrets
import time


def new_id() -> str:
    """12 hex digits of milliseconds, then 16 random hex digits (fixed width, sortable)."""
    return f"{time.time_ns() // 1_000_000:012x}{secrets.token_hex(8)}"


def global_id(type_name: str, node_id: str) -> str:
    """The global ID clients use for an object: base64 of "Type:id", as Relay (and the
    API's strawberry GlobalID) writes it, for files that must join back to the IDs a
    client sent (a dispatch report's leads)."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode("ascii")
