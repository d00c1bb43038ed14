"""What every resolver receives: the authenticated caller, the settings, and the
request's DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.types import Info as _Info

from partner_center.api.core.loaders import Loaders
from partner_center.config import Settings
from partner_center.core.auth import Principal
from partner_center.core.errors import Unauthenticated
from partner_center.core.tokens import Identity


@dataclass
class Context:
    settings: Settings
    request_id: str
    # The directory's description of the caller, set from `identity` (the verified
    # token) before execution by `partner_center.api.caller.ResolveCaller`.
    caller: Principal | None = None
    loaders: Loaders = field(default_factory=Loaders)
    identity: Identity | None = None

    @property
    def principal(self) -> Principal:
        # Only the GraphiQL page is served without a caller, and it runs no resolver.
        if self.caller is None:
            raise Unauthenticated("an Authorization: Bearer token is required")
        return self.caller


Info = _Info[Context, None]
