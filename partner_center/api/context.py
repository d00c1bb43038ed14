"""What every resolver receives: the authenticated caller and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.types import Info as _Info

from partner_center.config import Settings
from partner_center.core.auth import Principal


@dataclass
class Context:
    principal: Principal
    settings: Settings
    request_id: str


Info = _Info[Context, None]
