"""The leads area's DataLoaders."""

from __future__ import annotations

from typing import Any

from partner_center.api.context import Info
from partner_center.core.errors import Forbidden
from partner_center.leads import service
from partner_center.leads.models import LeadItem


def lead_loader(info: Info) -> Any:
    """Leads the caller may see, by ID, in one batch read (None for one it may not see:
    `node` answers null rather than confirm the ID exists)."""
    principal = info.context.principal

    async def load(lead_ids: list[str]) -> list[LeadItem | None]:
        try:
            found = await service.get_leads(principal, lead_ids)
        except Forbidden:
            return [None] * len(lead_ids)
        return [found.get(i) for i in lead_ids]

    return info.context.loaders.get("visible_leads", load)
