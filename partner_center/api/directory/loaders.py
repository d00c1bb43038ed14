"""The directory's reads of one request: the caller's partner and its users, each read
once however many fields (`viewer`, `node`, `nodes`) ask for them."""

from __future__ import annotations

import asyncio
from typing import Any

from partner_center.api.context import Info
from partner_center.customers.service import users_by_id
from partner_center.storage.models import DirectoryItem


def _read(partner_id: str, entity: str) -> DirectoryItem | None:
    try:
        return DirectoryItem.get(partner_id, entity)
    except DirectoryItem.DoesNotExist:
        return None


def partner_loader(info: Info) -> Any:
    """Partner ID -> its directory record (the caller's own only: see `PartnerNode`)."""

    async def load(partner_ids: list[str]) -> list[DirectoryItem | None]:
        return await asyncio.gather(*(asyncio.to_thread(_read, p, "PARTNER") for p in partner_ids))

    return info.context.loaders.get("directory_partners", load)


def user_loader(info: Info) -> Any:
    """User ID -> the caller's partner's user record (one BatchGetItem per 100)."""
    partner_id = info.context.principal.partner_id

    async def load(user_ids: list[str]) -> list[DirectoryItem | None]:
        found = await asyncio.to_thread(users_by_id, partner_id, user_ids)
        return [found.get(u) for u in user_ids]

    return info.context.loaders.get("directory_users", load)
