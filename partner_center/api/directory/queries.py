"""The caller (`viewer`) and any object by ID (`node`)."""

from __future__ import annotations

import strawberry
from strawberry import relay

from partner_center.api import access
from partner_center.api.context import Info
from partner_center.api.directory.types import Viewer


def viewer(info: Info) -> Viewer:
    principal = info.context.principal
    return Viewer(
        user_id=principal.user_id,
        partner_id=principal.partner_id,
        login=principal.login,
        role=principal.role.value,
        account_type=principal.account_type.value,
        permissions=sorted(p.value for p in principal.permissions),
    )


@strawberry.type
class Query:
    node: relay.Node | None = relay.node(
        description="Any object the caller may see, by ID; null for anything else. "
        + access.ACCESS["Query.node"].describe(),
        extensions=access.extensions("Query.node"),
    )
    viewer: Viewer = access.query("Query.viewer", viewer, "The authenticated caller.")
