"""The audit events a request reads by key (`node`, `nodes`)."""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.audit import log as audit_log


def event_loader(info: Info) -> Any:
    """Event key -> the caller's partner's event, or None. The log reads one event at a
    time, so the keys of one tick are read concurrently."""
    partner_id = info.context.principal.partner_id

    async def load(keys: list[str]) -> list[audit_log.AuditEvent | None]:
        return await asyncio.gather(
            *(asyncio.to_thread(audit_log.get, partner_id, key) for key in keys)
        )

    return info.context.loaders.get("audit_events", load)
