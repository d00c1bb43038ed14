"""The finance area's DataLoaders: the agreements and contracts `node` resolves.

The domain reads one record at a time: each loader reads its keys concurrently. A
record the caller may not see loads as None, so `node` answers null rather than confirm
that it exists.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from partner_center.api.context import Info
from partner_center.core.errors import Forbidden
from partner_center.finance import service
from partner_center.finance.agreements import Agreement
from partner_center.finance.contracts import Contract

T = TypeVar("T")
Key = tuple[str, str]  # (partner ID, agreement or contract ID)


async def _visible(read: Awaitable[T | None]) -> T | None:
    try:
        return await read
    except Forbidden:
        return None


def agreement_loader(info: Info) -> Any:
    """Payment agreements the caller may see, by (partner ID, agreement ID)."""
    principal = info.context.principal

    async def load(keys: list[Key]) -> list[Agreement | None]:
        reads = (_visible(service.get_agreement(principal, p, a)) for p, a in keys)
        return list(await asyncio.gather(*reads))

    return info.context.loaders.get("visible_payment_agreements", load)


def contract_loader(info: Info) -> Any:
    """Payment contracts the caller may see, by (partner ID, contract ID)."""
    principal = info.context.principal

    async def load(keys: list[Key]) -> list[Contract | None]:
        reads = (_visible(service.get_contract(principal, p, c)) for p, c in keys)
        return list(await asyncio.gather(*reads))

    return info.context.loaders.get("visible_payment_contracts", load)
